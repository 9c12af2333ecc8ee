import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import type { FastifyRequest } from "fastify";
import { Type } from "typebox";
import type { AppOptions } from "../app-deps.js";
import { bearerTokenOf } from "../http/auth-hook.js";
import { errorResponses } from "../schemas/envelope.js";

/** The host's figures, shown only to holders of `system:read`. */
export const SystemInfoSchema = Type.Object({
  cpu_usage: Type.Number({ description: "Whole-host CPU use in percent over an interval" }),
  total_memory: Type.Integer(),
  used_memory: Type.Integer(),
  memory_usage_percent: Type.Number(),
  total_swap: Type.Integer(),
  used_swap: Type.Integer(),
  hostname: Type.String(),
  os_name: Type.String(),
  os_version: Type.String(),
  kernel_version: Type.String(),
});

/**
 * The host's figures when the request carries a valid token of a `system:read` holder. No
 * token: none. A malformed, expired or revoked token is refused (401) like on any route.
 */
export async function systemInfoFor(request: FastifyRequest, options: AppOptions) {
  if (options.describeHost === undefined) return undefined;
  const token = bearerTokenOf(request);
  if (token === undefined) return undefined;
  const claims = request.auth ?? (await options.useCases.auth.authenticate(token));
  return options.describeHost(claims.sub);
}

/** `GET /health`: status, version, uptime and start time for anyone; the host's figures for `system:read`. */
export const hostHealthRoutes: FastifyPluginAsyncTypebox<{ options: AppOptions }> = async (app, { options }) => {
  const startedAt = options.startedAt ?? new Date();
  app.get(
    "/health",
    {
      // A probe: load balancers call it constantly and must never see a 429.
      config: { rateLimit: "none" },
      schema: {
        tags: ["health"],
        summary: "Service health; with a token holding system:read, the host's figures too",
        description:
          "`uptime` in seconds, `start_time` as Unix seconds. `system_info` (CPU over an interval, memory, " +
          "swap, hostname, OS, kernel) is present only for callers whose token holds `system:read`.",
        operationId: "healthStatus",
        security: [{}, { bearerAuth: [] }],
        response: {
          200: Type.Object({
            status: Type.Literal("up"),
            version: Type.String(),
            uptime: Type.Integer(),
            start_time: Type.Integer(),
            system_info: Type.Optional(SystemInfoSchema),
          }),
          ...errorResponses(401),
        },
      },
    },
    async (request) => {
      const systemInfo = await systemInfoFor(request, options);
      return {
        status: "up" as const,
        version: options.version,
        uptime: Math.floor((Date.now() - startedAt.getTime()) / 1000),
        start_time: Math.floor(startedAt.getTime() / 1000),
        ...(systemInfo === undefined ? {} : { system_info: systemInfo }),
      };
    },
  );
};
