import type { Logger } from "@gatehouse/infrastructure";
import type { Server } from "./compose.js";

/**
 * On SIGTERM or SIGINT, readiness turns 503 first, the server stops accepting and
 * lets in-flight requests finish (idle keep-alive sockets close at once), then the database
 * closes and logs flush. If draining takes longer than `timeoutSeconds`, open connections are
 * cut and the process exits 1 so the orchestrator knows it was not clean.
 */
export function installGracefulShutdown(server: Server, logger: Logger, timeoutSeconds: number): void {
  let started = false;
  const shutdown = async (signal: NodeJS.Signals) => {
    if (started) return;
    started = true;
    logger.info({ signal }, "shutdown signal received: draining in-flight requests");
    server.beginShutdown();
    const deadline = setTimeout(() => {
      logger.error({ timeoutSeconds }, "shutdown timed out: closing remaining connections");
      server.app.server.closeAllConnections();
      logger.flush();
      process.exit(1);
    }, timeoutSeconds * 1000);
    deadline.unref();
    try {
      await server.close();
      logger.info("shutdown complete");
      logger.flush();
      clearTimeout(deadline);
      process.exitCode = 0;
    } catch (error) {
      logger.error({ err: error }, "shutdown failed");
      logger.flush();
      process.exit(1);
    }
  };
  process.once("SIGTERM", shutdown);
  process.once("SIGINT", shutdown);
}
