import type { FastifyBaseLogger } from "fastify";

/** A logger that drops every line: for an app that serves no request, and for tests. */
export const silentLogger: FastifyBaseLogger = {
  level: "silent",
  fatal: () => {},
  error: () => {},
  warn: () => {},
  info: () => {},
  debug: () => {},
  trace: () => {},
  silent: () => {},
  child: () => silentLogger,
};
