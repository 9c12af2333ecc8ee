import { type AccessTokenClaims, type Clock, DomainError, guardsLogin, type MfaRepository } from "@gatehouse/domain";

/**
 * What a sensitive route asks of the caller's session (RFC 9470): a second factor proven
 * (aal2), and with `maxAgeSeconds` proven no longer ago than that (`auth_time`).
 */
export interface AssuranceRequirement {
  readonly maxAgeSeconds?: number;
}

/** The refusal of a session below a route's requirement, carrying the level and age to come back with. */
export function insufficientUserAuthentication(
  maxAgeSeconds?: number,
): DomainError<"INSUFFICIENT_USER_AUTHENTICATION"> {
  const details =
    maxAgeSeconds === undefined
      ? { acr_values: "aal2" as const }
      : { acr_values: "aal2" as const, max_age: maxAgeSeconds };
  return new DomainError("INSUFFICIENT_USER_AUTHENTICATION", undefined, details);
}

/**
 * Changing a user's factors needs a session that proved one (aal2): otherwise a session opened
 * before enrolment, or a stolen password alone, could remove the factor that guards the account.
 */
export function requireSecondFactorSession(acr: string | undefined): void {
  if (acr !== "aal2") throw insufficientUserAuthentication();
}

export interface RequireAssuranceDeps {
  readonly mfa: Pick<MfaRepository, "listFactors">;
  readonly clock: Clock;
}

/**
 * The one step-up check behind every route that declares `requireAal`/`maxAuthAge`: a caller
 * whose account a factor guards must hold an aal2 token whose `auth_time` is recent enough;
 * anyone else passes (there is nothing to step up with). The factor lookup happens only when
 * the token alone does not satisfy the route, so a fresh aal2 token costs no query.
 */
export function makeRequireAssurance(deps: RequireAssuranceDeps) {
  return async function requireAssurance(
    claims: Pick<AccessTokenClaims, "sub" | "acr" | "auth_time">,
    requirement: AssuranceRequirement,
  ): Promise<void> {
    const { maxAgeSeconds } = requirement;
    const ageSeconds = deps.clock.now().getTime() / 1000 - (claims.auth_time ?? 0);
    const fresh = maxAgeSeconds === undefined || ageSeconds <= maxAgeSeconds;
    if (claims.acr === "aal2" && fresh) return;
    if (!(await deps.mfa.listFactors(claims.sub)).some(guardsLogin)) return;
    throw insufficientUserAuthentication(maxAgeSeconds);
  };
}

export type RequireAssurance = ReturnType<typeof makeRequireAssurance>;
