import type {
  AssuranceLevel,
  Clock,
  MfaRepository,
  OpaqueTokens,
  SessionRevocations,
  TransactionalRepositories,
  UnitOfWork,
} from "@gatehouse/domain";
import { LEGACY_ASSURANCE } from "../mfa/mfa-gate.js";

/** The signed-in user of a hosted page and the API session the page's cookie belongs to. */
export interface PageSession {
  readonly userId: string;
  readonly sessionId: string;
  /**
   * The assurance the session was opened at, as its API tokens carry it (refresh copies the
   * same record): the factor changes ask a page session for aal2 exactly as they ask a token.
   */
  readonly acr: AssuranceLevel;
  /** When the session last proved a factor (`auth_time`): the step-up check's `max_age` counts from here. */
  readonly authTime: Date;
}

export interface ResolvePageSessionDeps {
  readonly uow: UnitOfWork<Pick<TransactionalRepositories, "refreshTokens">>;
  readonly opaqueTokens: Pick<OpaqueTokens, "hash">;
  readonly revocations: Pick<SessionRevocations, "isRevoked">;
  readonly mfa: Pick<MfaRepository, "findSessionAssurance">;
  readonly clock: Clock;
}

// Longer than any secret Gatehouse issues: anything bigger is not one and is not looked up.
const MAX_SECRET = 128;

/**
 * The hosted pages' session is an API session: a page login opens one through `logIn`, and its
 * cookie holds that session's refresh secret, which is stored only hashed. The pages never
 * rotate it, so the cookie stays valid until the token's idle end (JWT_REFRESH_TOKEN_EXPIRATION_DAYS)
 * and ends with the session however that happens (sign-out, logout-all, revoke from another
 * device, suspension, password change or reset, refresh-token reuse, a rotation through the
 * API). Undefined: no such live session, the page asks to sign in.
 */
export function makeResolvePageSession(deps: ResolvePageSessionDeps) {
  return async function resolvePageSession(secret: string): Promise<PageSession | undefined> {
    if (secret === "" || secret.length > MAX_SECRET) return undefined;
    const hash = deps.opaqueTokens.hash(secret);
    const token = await deps.uow.run((tx) => tx.refreshTokens.lockFamilyOf(hash));
    if (token === undefined || token.revokedAt !== null) return undefined;
    if (token.expiresAt.getTime() <= deps.clock.now().getTime()) return undefined;
    // The database row says live; the revocation list also knows ends another node just wrote.
    if (await deps.revocations.isRevoked(token.familyId)) return undefined;
    const assurance = (await deps.mfa.findSessionAssurance(token.familyId)) ?? LEGACY_ASSURANCE;
    return { userId: token.userId, sessionId: token.familyId, acr: assurance.acr, authTime: assurance.authTime };
  };
}

export type ResolvePageSession = ReturnType<typeof makeResolvePageSession>;
