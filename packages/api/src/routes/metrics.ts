import { createHash, timingSafeEqual } from "node:crypto";
import { DomainError } from "@gatehouse/domain";
import type { FastifyPluginAsync } from "fastify";
import type { MetricsExposition } from "../app-deps.js";

const digest = (value: string) => createHash("sha256").update(value).digest();

/**
 * `GET /metrics` on the API port, only when a scrape token is configured: Prometheus sends it
 * as a bearer token. Both sides are hashed first so the comparison takes the same time
 * whatever the length or the first differing byte of a guess.
 */
export const metricsRoutes: FastifyPluginAsync<{ metrics: MetricsExposition & { token: string } }> = async (
  app,
  { metrics },
) => {
  const expected = digest(`Bearer ${metrics.token}`);
  app.get("/metrics", { config: { rateLimit: "none" }, schema: { hide: true } }, async (request, reply) => {
    const presented = request.headers.authorization ?? "";
    if (!timingSafeEqual(digest(presented), expected)) {
      reply.header("www-authenticate", 'Bearer realm="metrics"');
      throw new DomainError("UNAUTHORIZED", "A valid metrics token is required");
    }
    const { contentType, body } = await metrics.render();
    return reply.type(contentType).send(body);
  });
};
