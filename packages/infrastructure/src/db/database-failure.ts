/**
 * Why PostgreSQL could not be used, as one line naming `DATABASE_URL` and the cause (never the
 * URL itself, which may hold a password), or undefined when `error` is not a connection
 * failure. The server, the worker and the CLI print it instead of the failed query's text.
 */
export function describeDatabaseFailure(error: unknown): string | undefined {
  for (let current: unknown = error; current instanceof Error; current = current.cause) {
    const described = describeOne(current);
    if (described !== undefined) return `DATABASE_URL: ${described}`;
  }
  return undefined;
}

interface DriverError extends Error {
  readonly code?: unknown;
  readonly address?: unknown;
  readonly port?: unknown;
  readonly hostname?: unknown;
}

/** postgres.js gives `address`/`port` as arrays (one per host), Node's socket errors as values. */
function first(value: unknown): string | undefined {
  const one = Array.isArray(value) ? value[0] : value;
  return typeof one === "string" || typeof one === "number" ? String(one) : undefined;
}

function where(error: DriverError): string {
  const host = first(error.address) ?? first(error.hostname);
  const port = first(error.port);
  if (host === undefined) return "PostgreSQL";
  return port === undefined ? `PostgreSQL at ${host}` : `PostgreSQL at ${host}:${port}`;
}

function describeOne(error: DriverError): string | undefined {
  switch (error.code) {
    case "ECONNREFUSED":
      return `cannot connect to ${where(error)}: connection refused (is the server running?)`;
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return `cannot resolve the host of ${where(error)} (DNS lookup failed)`;
    case "CONNECT_TIMEOUT":
    case "ETIMEDOUT":
      return `${where(error)} did not answer in time`;
    case "ECONNRESET":
    case "CONNECTION_CLOSED":
    case "CONNECTION_ENDED":
    case "CONNECTION_DESTROYED":
      return `${where(error)} closed the connection`;
    case "3D000": // invalid_catalog_name: the message names the database
    case "28P01": // invalid_password
    case "28000": // invalid_authorization_specification
    case "57P03": // cannot_connect_now (starting up, shutting down)
    case "53300": // too_many_connections
      return error.message;
    default:
      return undefined;
  }
}
