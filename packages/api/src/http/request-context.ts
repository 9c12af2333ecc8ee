import { isIP } from "node:net";
import { DEVICE_TOKEN_COOKIE, DEVICE_TOKEN_HEADER, type RequestContext } from "@gatehouse/domain";
import type { FastifyRequest } from "fastify";

const MAX_USER_AGENT = 512;

/**
 * `address` as a bare IP, or undefined: a trusted proxy may forward `1.2.3.4:4711`,
 * `[2001:db8::1]:443` or a word such as `unknown`, none of which an `inet` column takes.
 */
export function bareIp(address: string | undefined): string | undefined {
  if (address === undefined) return undefined;
  const value = address.trim();
  if (isIP(value) !== 0) return value;
  const bracketed = /^\[([^\]]+)\](?::\d{1,5})?$/.exec(value);
  if (bracketed?.[1] !== undefined) return isIP(bracketed[1]) === 6 ? bracketed[1] : undefined;
  const withPort = /^([0-9.]+):\d{1,5}$/.exec(value);
  if (withPort?.[1] !== undefined) return isIP(withPort[1]) === 4 ? withPort[1] : undefined;
  return undefined;
}

/**
 * The client's address: Fastify's (the TCP peer, or what a trusted proxy forwarded) with any
 * port dropped; forwarded garbage is ignored and the peer that sent it (the proxy) is used.
 */
export function clientAddress(request: FastifyRequest): string | null {
  return bareIp(request.ip) ?? bareIp(request.socket.remoteAddress) ?? null;
}

// Longer than any token Gatehouse issues: anything bigger is not one, and is not looked up.
const MAX_DEVICE_TOKEN = 128;

/**
 * The value of cookie `name` in a `Cookie` header, or undefined. App-level hooks read cookies
 * here: `@fastify/cookie` parses them only inside the pages' own scope, after those hooks ran.
 */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const pair of header?.split(";") ?? []) {
    const at = pair.indexOf("=");
    if (at !== -1 && pair.slice(0, at).trim() === name) return pair.slice(at + 1).trim();
  }
  return undefined;
}

/**
 * The device token the client presents: the `X-Device-Token` header (API clients), else the
 * `gh_device` cookie (browsers). Null when there is none or it cannot be one of ours.
 */
export function presentedDeviceToken(request: FastifyRequest): string | null {
  const header = request.headers[DEVICE_TOKEN_HEADER];
  const value = typeof header === "string" ? header.trim() : cookieValue(request.headers.cookie, DEVICE_TOKEN_COOKIE);
  return value !== undefined && value !== "" && value.length <= MAX_DEVICE_TOKEN ? value : null;
}

/** Who is asking and from where, for audit entries and session records; the device token for credential checks. */
/**
 * Who is behind a request: the bearer token's user, else the user of a hosted page's live
 * session cookie (both resolved by earlier hooks), else nobody. The rate limit counts per this
 * user and the access log names it.
 */
export function requestUserId(request: FastifyRequest): string | null {
  return request.auth?.sub ?? request.pageSession?.userId ?? null;
}

export function requestContext(request: FastifyRequest): RequestContext {
  const userAgent = request.headers["user-agent"];
  return {
    requestId: request.id,
    ipAddress: clientAddress(request),
    userAgent: typeof userAgent === "string" ? userAgent.slice(0, MAX_USER_AGENT) : null,
    startedAt: request.startedAt,
    deviceToken: presentedDeviceToken(request),
  };
}
