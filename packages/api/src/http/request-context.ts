import { isIP } from "node:net";
import type { RequestContext } from "@gatehouse/domain";
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

/** Who is asking and from where, for audit entries and session records. */
export function requestContext(request: FastifyRequest): RequestContext {
  const userAgent = request.headers["user-agent"];
  return {
    requestId: request.id,
    ipAddress: clientAddress(request),
    userAgent: typeof userAgent === "string" ? userAgent.slice(0, MAX_USER_AGENT) : null,
    startedAt: request.startedAt,
  };
}
