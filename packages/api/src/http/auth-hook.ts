import type { Authenticate } from "@gatehouse/application";
import { DomainError } from "@gatehouse/domain";
import type { FastifyRequest } from "fastify";

// The scheme is case-insensitive (RFC 7235); the token is a JWT.
const BEARER = /^Bearer ([A-Za-z0-9._~+/-]+=*)$/i;

/**
 * Verifies the bearer token of routes declared with `config: { auth: true }` (or with a
 * `permission`, which implies it) and attaches its
 * claims to the request. No header → UNAUTHORIZED; a bad or revoked token → its own 401 code.
 */
export function makeAuthHook(authenticate: Authenticate) {
  return async function authHook(request: FastifyRequest): Promise<void> {
    const { auth, permission } = request.routeOptions.config;
    if (auth !== true && permission === undefined) return;
    const token = bearerTokenOf(request);
    if (token === undefined) throw new DomainError("UNAUTHORIZED", "Authentication required");
    request.auth = await authenticate(token);
  };
}

/** The bearer token of the request; undefined without an Authorization header; INVALID_TOKEN when malformed. */
export function bearerTokenOf(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (header === undefined || header === "") return undefined;
  const match = BEARER.exec(header);
  if (!match?.[1]) throw new DomainError("INVALID_TOKEN", "Authorization header must be 'Bearer <token>'");
  return match[1];
}

/** The claims of an authenticated route; throws if the route forgot `auth: true`. */
export function claimsOf(request: FastifyRequest) {
  if (request.auth === null) throw new Error(`route ${request.routeOptions.url} used claims without auth: true`);
  return request.auth;
}
