import { type Logger, type LoggerOptions, pino } from "pino";

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

export interface LoggerSettings {
  readonly level: string;
  readonly pretty: boolean;
  readonly name?: string;
}

export function loggerOptions(settings: LoggerSettings): LoggerOptions {
  return {
    level: settings.level,
    name: settings.name ?? "gatehouse",
    redact: { paths: REDACTED_PATHS, censor: "[redacted]" },
    timestamp: pino.stdTimeFunctions.isoTime,
    ...(settings.pretty
      ? { transport: { target: "pino-pretty", options: { translateTime: "SYS:HH:MM:ss.l", ignore: "pid,hostname" } } }
      : {}),
  };
}

/** JSON lines in production, pretty output in development; secrets redacted either way. */
export function createLogger(settings: LoggerSettings): Logger {
  return pino(loggerOptions(settings));
}
