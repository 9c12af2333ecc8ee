import {
  type AccessTokens,
  type Clock,
  firstFactorAssurance,
  guardsLogin,
  type MfaChallenge,
  type MfaChallengePurpose,
  type MfaFactorType,
  type MfaPolicy,
  type MfaRepository,
  type OpaqueTokens,
  passkeyAssurance,
  policyRequiresFactor,
  type RefreshToken,
  type RequestContext,
  type RoleGrant,
  type SessionAssurance,
  type User,
} from "@gatehouse/domain";
import { packSessionTokens, type RefreshTokenPolicy, type SessionTokens } from "../auth/session-tokens.js";

/** How long an `mfa_token` waits for its second factor. */
export const MFA_CHALLENGE_TTL_SECONDS = 300;

/**
 * What a login answers instead of tokens when the user has a second factor, or (with
 * `enrollmentRequired`) when MFA_POLICY makes them enrol one first: then the token only enrols
 * (POST /auth/mfa/enroll/totp…) and `factors` is empty.
 */
export interface MfaChallengeResult {
  readonly mfaRequired: true;
  readonly enrollmentRequired: boolean;
  /** Single use, bound to the client that got it, stored only as a hash. */
  readonly mfaToken: string;
  readonly expiresIn: number;
  /** The methods `POST /auth/mfa/verify` accepts for this user. */
  readonly factors: readonly ("totp" | "recovery_code" | "webauthn")[];
}

export interface MfaGateDeps {
  readonly mfa: Pick<MfaRepository, "listFactors" | "createChallenge">;
  readonly opaqueTokens: Pick<OpaqueTokens, "generate" | "hash">;
  readonly clock: Clock;
  /** MFA_POLICY; absent: optional (users opt in). */
  readonly mfaPolicy?: MfaPolicy;
}

/** The hash a challenge is bound to: the client's user agent and address as the request saw them. */
export function clientBinding(opaqueTokens: Pick<OpaqueTokens, "hash">, ctx: RequestContext): string {
  return opaqueTokens.hash(`mfa-client\n${ctx.userAgent ?? ""}\n${ctx.ipAddress ?? ""}`);
}

/**
 * `challenge` (found or consumed by its token) if it may be used here: live, of `purpose`, and
 * presented by the client it was issued to; undefined otherwise, answered as an unknown token.
 */
export function usableChallenge(
  opaqueTokens: Pick<OpaqueTokens, "hash">,
  ctx: RequestContext,
  challenge: MfaChallenge | undefined,
  purpose: MfaChallengePurpose,
): MfaChallenge | undefined {
  const usable =
    challenge !== undefined &&
    challenge.purpose === purpose &&
    challenge.clientHash === clientBinding(opaqueTokens, ctx);
  return usable ? challenge : undefined;
}

const METHOD_OF: Record<MfaFactorType, "totp" | "recovery_code" | "webauthn"> = {
  totp: "totp",
  recovery_codes: "recovery_code",
  webauthn: "webauthn",
};

/**
 * The MFA gate every path that signs a user in calls once the first factor is proven, before
 * any session exists (password login, federated login, and any later first factor): a user
 * with a confirmed factor gets a challenge (`mfa_token`) and no tokens; anyone else gets the
 * first factor's aal1 assurance to open the session with. A user MFA_POLICY requires a factor of
 * who has none gets an enrolment-only challenge instead: no session before a factor exists.
 * A path that issues tokens without passing here is a bug: a test walks every token-issuing
 * route to prove there is none.
 */
export async function gateFirstFactor(
  deps: MfaGateDeps,
  ctx: RequestContext,
  proven: {
    readonly userId: string;
    readonly method: "pwd" | "fed" | "hwk" | "swk";
    /** The user's roles, for a policy that requires factors of some of them. */
    readonly roles?: readonly Pick<RoleGrant, "name">[];
  },
): Promise<{ readonly assurance: SessionAssurance } | { readonly challenge: MfaChallengeResult }> {
  const now = deps.clock.now();
  // A passkey with user verification (the only kind passwordless login accepts) is something
  // held and something the user is or knows at once: aal2, nothing left to ask.
  if (proven.method === "hwk" || proven.method === "swk") return { assurance: passkeyAssurance(proven.method, now) };
  const factors = (await deps.mfa.listFactors(proven.userId)).filter((f) => f.confirmedAt !== null);
  const assurance = firstFactorAssurance(proven.method, now);
  const guarded = factors.some(guardsLogin);
  const policy = deps.mfaPolicy ?? { mode: "optional" };
  const mustEnrol =
    !guarded &&
    policyRequiresFactor(
      policy,
      (proven.roles ?? []).map((role) => role.name),
    );
  if (!guarded && !mustEnrol) return { assurance };
  const secret = deps.opaqueTokens.generate();
  await deps.mfa.createChallenge({
    tokenHash: secret.hash,
    userId: proven.userId,
    purpose: mustEnrol ? "enrollment" : "login",
    clientHash: clientBinding(deps.opaqueTokens, ctx),
    amr: assurance.amr,
    authTime: assurance.authTime,
    expiresAt: new Date(now.getTime() + MFA_CHALLENGE_TTL_SECONDS * 1000),
  });
  const methods = factors.map((f) => METHOD_OF[f.type]);
  return {
    challenge: {
      mfaRequired: true,
      enrollmentRequired: mustEnrol,
      mfaToken: secret.token,
      expiresIn: MFA_CHALLENGE_TTL_SECONDS,
      factors: [...new Set(methods)],
    },
  };
}

export interface AssuredSessionDeps {
  readonly mfa: Pick<MfaRepository, "recordSessionAssurance">;
  readonly accessTokens: AccessTokens;
  readonly refreshPolicy: RefreshTokenPolicy;
}

/**
 * Records how a just-opened session was authenticated (refresh copies it from there, never
 * higher) and signs its first tokens with it. Every path that opens a session ends here.
 */
export async function issueAssuredTokens(
  deps: AssuredSessionDeps,
  account: { readonly user: Pick<User, "id" | "keycloakId">; readonly roles: readonly RoleGrant[] },
  opened: { readonly stored: Pick<RefreshToken, "familyId" | "expiresAt">; readonly refreshToken: string },
  now: Date,
  assurance: SessionAssurance,
): Promise<SessionTokens> {
  await deps.mfa.recordSessionAssurance({ sessionId: opened.stored.familyId, userId: account.user.id, assurance });
  return packSessionTokens(deps.accessTokens, deps.refreshPolicy, {
    userId: account.user.id,
    keycloakId: account.user.keycloakId,
    roles: account.roles,
    sessionId: opened.stored.familyId,
    refreshToken: opened.refreshToken,
    refreshExpiresAt: opened.stored.expiresAt,
    now,
    assurance,
  });
}

/** What a session opened before second factors existed counts as: aal1, authenticated long ago. */
export const LEGACY_ASSURANCE: SessionAssurance = { amr: [], acr: "aal1", authTime: new Date(0) };
