import type { RequireAssurance } from "@gatehouse/application";
import type { FastifyRequest } from "fastify";
import { claimsOf } from "./auth-hook.js";

/**
 * The one step-up guard (RFC 9470): routes declare `config: { requireAal: 2, maxAuthAge: 300 }`
 * next to their schema and this hook, running after authentication and the permission check,
 * refuses a caller whose account a second factor guards unless their token is aal2 and its
 * `auth_time` recent enough (401 INSUFFICIENT_USER_AUTHENTICATION with WWW-Authenticate saying
 * what to come back with). Without second factors configured nobody can hold one: nothing to check.
 */
export function makeAssuranceHook(requireAssurance: RequireAssurance | undefined) {
  return async function assuranceHook(request: FastifyRequest): Promise<void> {
    const { requireAal, maxAuthAge } = request.routeOptions.config;
    if (requireAal === undefined || requireAssurance === undefined) return;
    await requireAssurance(claimsOf(request), maxAuthAge === undefined ? {} : { maxAgeSeconds: maxAuthAge });
  };
}

/** How recent the second factor behind a credential, role or account change must be: five minutes. */
export const STEP_UP_MAX_AGE_SECONDS = 300;

/** The route config of a sensitive route: a caller with a factor proved it within five minutes. */
export const SENSITIVE = { requireAal: 2, maxAuthAge: STEP_UP_MAX_AGE_SECONDS } as const;
