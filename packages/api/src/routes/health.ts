import { cpuUsage, memoryUsage } from "node:process";
import { Type } from "typebox";
import { errorResponses } from "../schemas/envelope.js";
import { SystemInfoSchema, systemInfoFor } from "./host-health.js";
import { bearer, type RoutesPlugin } from "./routes-plugin.js";

const tags = ["health"];
const Timestamp = Type.String({ format: "date-time" });
const Checks = Type.Record(
  Type.String(),
  Type.Object(
    {
      status: Type.Union([Type.Literal("healthy"), Type.Literal("unhealthy")]),
      latency_ms: Type.Union([Type.Number(), Type.Null()]),
      error: Type.Optional(Type.String()),
    },
    { additionalProperties: true },
  ),
);
const Readiness = Type.Object({
  status: Type.Union([Type.Literal("ready"), Type.Literal("degraded"), Type.Literal("not_ready")]),
  timestamp: Timestamp,
  reason: Type.Optional(Type.String()),
  checks: Checks,
});

function cpuPercentSince(previous: NodeJS.CpuUsage, elapsedMs: number): number {
  const used = cpuUsage(previous);
  return elapsedMs <= 0 ? 0 : Math.round(((used.user + used.system) / 1000 / elapsedMs) * 1000) / 10;
}

/**
 * /health/live, /health/ready, /health/details and GET /api/v1/health. Probe bodies are not
 * enveloped: load balancers read `status` at the top level.
 */
export const healthRoutes: RoutesPlugin = async (app, { options }) => {
  const { checkHealth } = options.useCases.health;
  const startedAt = options.startedAt ?? new Date();
  const uptimeSeconds = () => Math.floor((Date.now() - startedAt.getTime()) / 1000);
  let cpuMark = { at: performance.now(), usage: cpuUsage() };

  app.get(
    "/health/live",
    {
      schema: {
        tags,
        summary: "Liveness probe",
        operationId: "healthLive",
        response: { 200: Type.Object({ status: Type.Literal("alive"), timestamp: Timestamp }), ...errorResponses() },
      },
    },
    async () => ({ status: "alive" as const, timestamp: new Date().toISOString() }),
  );

  app.get(
    "/health/ready",
    {
      schema: {
        tags,
        summary: "Readiness probe",
        description: "200 `ready` or `degraded`; 503 `not_ready` when the database fails or shutdown has begun.",
        operationId: "healthReady",
        response: { ...errorResponses(), 200: Readiness, 503: Readiness },
      },
    },
    async (_request, reply) => {
      const timestamp = new Date().toISOString();
      if (options.isShuttingDown()) {
        return reply.code(503).send({ status: "not_ready", timestamp, reason: "shutting_down", checks: {} });
      }
      const report = await checkHealth();
      return reply.code(report.status === "not_ready" ? 503 : 200).send({ ...report, timestamp });
    },
  );

  app.get(
    "/health/details",
    {
      // Paths, pool sizes and memory are an operator's business, not every signed-in user's.
      config: { permission: "system:read" },
      schema: {
        tags,
        summary: "Detailed health (a token holding system:read)",
        operationId: "healthDetails",
        security: bearer,
        response: {
          200: Type.Object({
            status: Type.Union([Type.Literal("healthy"), Type.Literal("degraded"), Type.Literal("unhealthy")]),
            timestamp: Timestamp,
            version: Type.String(),
            uptime_seconds: Type.Integer(),
            checks: Checks,
            system: Type.Object({ memory_used_mb: Type.Number(), cpu_usage_percent: Type.Number() }),
            system_info: Type.Optional(SystemInfoSchema),
          }),
          ...errorResponses(401, 403),
        },
      },
    },
    async (request) => {
      const [report, systemInfo] = await Promise.all([checkHealth({ details: true }), systemInfoFor(request, options)]);
      const now = performance.now();
      const cpu = cpuPercentSince(cpuMark.usage, now - cpuMark.at);
      cpuMark = { at: now, usage: cpuUsage() };
      const status = report.status === "ready" ? "healthy" : report.status === "degraded" ? "degraded" : "unhealthy";
      return {
        status: status as "healthy" | "degraded" | "unhealthy",
        timestamp: new Date().toISOString(),
        version: options.version,
        uptime_seconds: uptimeSeconds(),
        checks: report.checks,
        system: { memory_used_mb: Math.round(memoryUsage().rss / 1_048_576), cpu_usage_percent: cpu },
        ...(systemInfo === undefined ? {} : { system_info: systemInfo }),
      };
    },
  );

  app.get(
    "/api/v1/health",
    {
      // A probe: load balancers call it constantly and must never see a 429.
      config: { rateLimit: "none" },
      schema: {
        tags,
        summary: "Service health: liveness plus version and uptime",
        operationId: "health",
        response: {
          200: Type.Object({
            status: Type.Literal("alive"),
            timestamp: Timestamp,
            version: Type.String(),
            uptime_seconds: Type.Integer(),
          }),
          ...errorResponses(),
        },
      },
    },
    async () => ({
      status: "alive" as const,
      timestamp: new Date().toISOString(),
      version: options.version,
      uptime_seconds: uptimeSeconds(),
    }),
  );
};
