import { createLogger } from "@gatehouse/infrastructure";
import Fastify, { LogController } from "fastify";

/**
 * The framework ceiling: bare Fastify with one route, but the server's logging (pino at
 * LOG_LEVEL through createLogger, one line per request from an onResponse hook, stdout on
 * /dev/null), so the gap to Gatehouse is Gatehouse's own work.
 */
const logger = createLogger({ level: process.env.LOG_LEVEL ?? "info", pretty: false });
const app = Fastify({ loggerInstance: logger, logController: new LogController({ disableRequestLogging: true }) });

app.addHook("onResponse", async (request, reply) => {
  request.log.info(
    {
      method: request.method,
      route: request.routeOptions.url ?? null,
      url: request.url,
      status: reply.statusCode,
      duration_ms: Math.round(reply.elapsedTime * 100) / 100,
    },
    "request",
  );
});

app.get("/", async () => ({ hello: "world" }));

await app.listen({ host: "127.0.0.1", port: Number(process.env.PORT ?? "0") });
