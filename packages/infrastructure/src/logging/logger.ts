import { type Logger, type LoggerOptions, pino } from "pino";
import { activeTraceFields } from "../observability/trace-spans.js";

export type { Logger } from "pino";

/** Paths pino blanks out wherever they appear in a log line. */
export const REDACTED_PATHS = [
  "req.headers.authorization",
  "req.headers.cookie",
  'req.headers["set-cookie"]',
  'res.headers["set-cookie"]',
  "*.password",
  "*.new_password",
  "*.current_password",
  "*.refresh_token",
  "*.access_token",
  "*.token",
  "*.secret",
];

interface SafeError {
  type: string;
  message: string;
  code?: string;
  stack?: string;
  cause?: SafeError;
}

const STACK_FRAME = /^\s+at /;

/**
 * An error as it may be logged. Query errors carry their SQL parameters (Drizzle puts them in
 * the message and in `params`; postgres.js in `parameters`): a failed registration would log
 * the new password hash and email. Only the first line of each message, the code, the stack
 * frames and the cause chain are kept.
 */
export function safeError(error: unknown, depth = 0): SafeError {
  if (!(error instanceof Error)) return { type: typeof error, message: "non-Error thrown" };
  const code = (error as { code?: unknown }).code;
  const safe: SafeError = {
    type: error.name,
    message: (error.message.split("\n")[0] ?? "").slice(0, 500),
    ...(typeof code === "string" ? { code } : {}),
  };
  const frames = error.stack?.split("\n").filter((line) => STACK_FRAME.test(line));
  if (frames && frames.length > 0) safe.stack = frames.join("\n");
  if (error.cause !== undefined && depth < 4) safe.cause = safeError(error.cause, depth + 1);
  return safe;
}

export interface LoggerSettings {
  readonly level: string;
  readonly pretty: boolean;
  readonly name?: string;
  /** Tracing is on: every line carries the active span's `trace_id` and `span_id`. */
  readonly traced?: boolean;
}

export function loggerOptions(settings: LoggerSettings): LoggerOptions {
  return {
    level: settings.level,
    name: settings.name ?? "gatehouse",
    redact: { paths: REDACTED_PATHS, censor: "[redacted]" },
    serializers: { err: safeError, error: safeError },
    timestamp: pino.stdTimeFunctions.isoTime,
    // Only with tracing on: without it there is no span to name, and no per-line call.
    ...(settings.traced ? { mixin: activeTraceFields } : {}),
    ...(settings.pretty
      ? { transport: { target: "pino-pretty", options: { translateTime: "SYS:HH:MM:ss.l", ignore: "pid,hostname" } } }
      : {}),
  };
}

/** JSON lines in production, pretty output in development; secrets redacted either way. */
export function createLogger(settings: LoggerSettings): Logger {
  return pino(loggerOptions(settings));
}
