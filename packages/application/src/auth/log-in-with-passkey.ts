import {
  type AccessTokens,
  DomainError,
  type MfaRepository,
  passkeyMethod,
  type RequestContext,
  sessionBlockedError,
  type TransactionalRepositories,
  type UnitOfWork,
  type UserRepository,
  type WebAuthnCredentialRepository,
  type WebAuthnRelyingParty,
  type WebAuthnResponseJson,
} from "@gatehouse/domain";
import { gateFirstFactor, issueAssuredTokens } from "../mfa/mfa-gate.js";
import { type PasskeyChallengeDeps, takeChallenge } from "../mfa/passkey-challenges.js";
import { recordRefusal } from "../shared/refusals.js";
import { type CredentialFailures, takeCredentialAttempt } from "./credential-attempts.js";
import type { LogInResult } from "./log-in.js";
import { openSession } from "./open-session.js";
import type { RefreshTokenPolicy } from "./session-tokens.js";

export interface LogInWithPasskeyDeps extends PasskeyChallengeDeps {
  readonly users: Pick<UserRepository, "find">;
  readonly credentials: Pick<WebAuthnCredentialRepository, "findByCredentialId" | "recordAssertion">;
  readonly relyingParty: Pick<WebAuthnRelyingParty, "verifyAssertion" | "challengeOf">;
  readonly uow: UnitOfWork<Pick<TransactionalRepositories, "refreshTokens" | "auditLog">>;
  readonly opaqueTokens: PasskeyChallengeDeps["opaqueTokens"] & { generate(): { token: string; hash: string } };
  readonly accessTokens: AccessTokens;
  readonly refreshPolicy: RefreshTokenPolicy;
  /** A failed assertion spends the account's failure budget like a wrong password. */
  readonly credentialFailures: CredentialFailures;
  readonly mfa: Pick<MfaRepository, "listFactors" | "createChallenge" | "recordSessionAssurance">;
}

/**
 * Passwordless sign-in with a discoverable passkey (PASSKEY_LOGIN=true). The passwordless
 * challenge is taken first (single use); an unknown credential, a signature that does not
 * verify, a missing user verification and a counter that did not advance all answer the one
 * PASSKEY_LOGIN_FAILED, so the answer never says whether a credential belongs to an account.
 * A known credential's account spends a slot of its failure budget before verification (429
 * when spent), given back once proven. Only after the proof does a blocked status answer its
 * own 403, as a password login does. The session passes the MFA gate as every sign-in does:
 * a user-verified passkey is two factors at once, so it opens at aal2 with
 * `amr` [hwk|swk, user].
 */
export function makeLogInWithPasskey(deps: LogInWithPasskeyDeps) {
  return async function logInWithPasskey(assertion: WebAuthnResponseJson, ctx: RequestContext): Promise<LogInResult> {
    const { challenge } = await takeChallenge(deps, assertion, "passwordless");
    const refuse = async (userId: string | null, reason: string) => {
      await recordRefusal(deps, ctx, { action: "auth.login_failed", userId, details: { method: "passkey", reason } });
      return new DomainError("PASSKEY_LOGIN_FAILED");
    };
    const credential = await deps.credentials.findByCredentialId(assertion.id);
    const found = credential && (await deps.users.find(credential.userId));
    if (credential === undefined || found === undefined) throw await refuse(null, "unknown_credential");

    const attempt = await takeCredentialAttempt(deps.credentialFailures, {
      email: found.user.email,
      userId: found.user.id,
      ctx,
    });
    const verified = await deps.relyingParty.verifyAssertion({
      response: assertion,
      expectedChallenge: challenge,
      credential,
      requireUserVerification: true,
    });
    const now = deps.clock.now();
    const recorded =
      verified?.userVerified === true &&
      (await deps.credentials.recordAssertion({
        credentialId: credential.credentialId,
        counter: verified.counter,
        backupState: verified.backupState,
        now,
      }));
    if (!recorded) throw await refuse(found.user.id, verified === undefined ? "not_verified" : "counter_or_uv");
    await attempt.giveBack();

    const blocked = sessionBlockedError(found.user.status);
    if (blocked !== undefined) {
      await recordRefusal(deps, ctx, {
        action: "auth.login_failed",
        userId: found.user.id,
        details: { method: "passkey", reason: `status_${found.user.status}` },
      });
      throw blocked;
    }
    const gate = await gateFirstFactor(deps, ctx, { userId: found.user.id, method: passkeyMethod(credential) });
    if ("challenge" in gate) throw new Error("a user-verified passkey is never held by the MFA gate");
    const session = await deps.uow.run((tx) =>
      openSession(tx, deps, ctx, {
        userId: found.user.id,
        now,
        action: "auth.login",
        details: { method: "passkey", factor_id: credential.factorId, amr: gate.assurance.amr },
      }),
    );
    const tokens = await issueAssuredTokens(deps, found, session, now, gate.assurance);
    return { tokens, user: found.user, roles: found.roles };
  };
}

export type LogInWithPasskey = ReturnType<typeof makeLogInWithPasskey>;
