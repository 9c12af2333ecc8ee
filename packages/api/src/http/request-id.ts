import { randomUUID } from "node:crypto";
import type { IncomingMessage } from "node:http";

// Letters, digits and a little punctuation, bounded: safe to log and to echo back.
const SANE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Accepts a sane incoming `X-Request-Id` (set by a proxy or the client), else makes one. */
export function requestIdFor(request: IncomingMessage): string {
  const incoming = request.headers["x-request-id"];
  return typeof incoming === "string" && SANE_REQUEST_ID.test(incoming) ? incoming : randomUUID();
}
