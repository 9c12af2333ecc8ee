import type { Server as HttpServer, ServerResponse } from "node:http";
import type { Logger } from "@gatehouse/infrastructure";
import type { Server } from "./compose.js";

export interface ShutdownTiming {
  /** Draining longer than this cuts the open connections and exits 1. */
  readonly timeoutSeconds: number;
  /** How long readiness says 503 while the listener still accepts, before it closes. */
  readonly drainDelaySeconds: number;
}

/**
 * Keeps track of the responses in flight so that, once shutdown begins, each one ends its
 * connection: every response from then on carries `Connection: close`, and a keep-alive socket
 * is closed as soon as it goes idle rather than idling until the deadline.
 */
function connectionCloser(http: HttpServer) {
  const inFlight = new Set<ServerResponse>();
  let closing = false;
  const endConnection = (response: ServerResponse) => {
    if (response.headersSent) return;
    response.shouldKeepAlive = false;
    response.setHeader("connection", "close");
  };
  http.on("request", (_request, response: ServerResponse) => {
    inFlight.add(response);
    if (closing) endConnection(response);
    response.once("close", () => inFlight.delete(response));
    // A response whose headers went out before shutdown keeps its socket: close it once idle.
    response.once("finish", () => {
      if (closing) setImmediate(() => http.closeIdleConnections());
    });
  });
  return {
    begin() {
      closing = true;
      for (const response of inFlight) endConnection(response);
      http.closeIdleConnections();
    },
  };
}

/**
 * README "Graceful shutdown": on SIGTERM or SIGINT, readiness turns 503 first and
 * every response ends its connection; after `drainDelaySeconds` (a load balancer's time to
 * notice) the listener closes, in-flight requests finish, then Redis and the database close and
 * logs flush. Past `timeoutSeconds` open connections are cut and the process exits 1 so the
 * orchestrator knows it was not clean.
 */
export function installGracefulShutdown(server: Server, logger: Logger, timing: ShutdownTiming): void {
  const closer = connectionCloser(server.app.server);
  let started = false;
  const shutdown = async (signal: NodeJS.Signals) => {
    if (started) return;
    started = true;
    logger.info({ signal, drainDelaySeconds: timing.drainDelaySeconds }, "shutdown signal received: draining");
    server.beginShutdown();
    closer.begin();
    const deadline = setTimeout(() => {
      logger.error({ timeoutSeconds: timing.timeoutSeconds }, "shutdown timed out: closing remaining connections");
      server.app.server.closeAllConnections();
      logger.flush();
      process.exit(1);
    }, timing.timeoutSeconds * 1000);
    deadline.unref();
    try {
      if (timing.drainDelaySeconds > 0) {
        await new Promise((resolve) => setTimeout(resolve, timing.drainDelaySeconds * 1000));
      }
      await server.close();
      logger.info("shutdown complete");
      logger.flush();
      clearTimeout(deadline);
      process.exitCode = 0;
      // Everything Gatehouse opened is closed; a handle a library left behind must not turn a
      // clean shutdown into a timeout.
      setTimeout(() => process.exit(0), 1000).unref();
    } catch (error) {
      logger.error({ err: error }, "shutdown failed");
      logger.flush();
      process.exit(1);
    }
  };
  process.once("SIGTERM", shutdown);
  process.once("SIGINT", shutdown);
}
