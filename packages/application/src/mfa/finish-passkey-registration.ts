import {
  DomainError,
  type MfaRepository,
  type RecoveryCodes,
  type RequestContext,
  type TransactionalRepositories,
  type UnitOfWork,
  type WebAuthnCredentialRepository,
  type WebAuthnRelyingParty,
  type WebAuthnResponseJson,
} from "@gatehouse/domain";
import { audit } from "../shared/audit-entry-for.js";
import { recordRefusal } from "../shared/refusals.js";
import { type PasskeyChallengeDeps, takeChallenge } from "./passkey-challenges.js";
import { issueRecoveryCodes } from "./recovery-code-set.js";

export interface FinishPasskeyRegistrationDeps extends PasskeyChallengeDeps {
  readonly mfa: Pick<MfaRepository, "listFactors" | "replaceRecoveryCodes">;
  readonly credentials: Pick<WebAuthnCredentialRepository, "add">;
  readonly relyingParty: Pick<WebAuthnRelyingParty, "verifyRegistration" | "challengeOf">;
  readonly recoveryCodes: RecoveryCodes;
  readonly uow: UnitOfWork<Pick<TransactionalRepositories, "auditLog">>;
}

/**
 * Verifies the browser's attestation against the user's registration challenge (taken first,
 * so it works once) and stores the credential as a confirmed `webauthn` factor. A user with no
 * recovery codes yet gets a set, shown this once, as enrolling an app gives.
 */
export function makeFinishPasskeyRegistration(deps: FinishPasskeyRegistrationDeps) {
  return async function finishPasskeyRegistration(
    userId: string,
    input: { readonly response: WebAuthnResponseJson; readonly name?: string },
    ctx: RequestContext,
  ): Promise<{ factorId: string; recoveryCodes: string[] | null }> {
    const { challenge, stored } = await takeChallenge(deps, input.response, "registration");
    if (stored.userId !== userId) throw new DomainError("WEBAUTHN_CHALLENGE_INVALID");
    const verified = await deps.relyingParty.verifyRegistration(input.response, challenge);
    if (verified === undefined) {
      await recordRefusal(deps, ctx, {
        action: "mfa.verify_failed",
        userId,
        details: { method: "webauthn", reason: "registration_not_verified" },
      });
      throw new DomainError("WEBAUTHN_VERIFICATION_FAILED");
    }
    const now = deps.clock.now();
    const { userVerified: _uv, ...credential } = verified;
    const added = await deps.credentials.add({ ...credential, userId, name: input.name?.trim() || "Passkey", now });
    if (added === undefined) throw new DomainError("WEBAUTHN_CREDENTIAL_EXISTS");
    const hasCodes = (await deps.mfa.listFactors(userId)).some((f) => f.type === "recovery_codes");
    const codes = hasCodes ? null : (await issueRecoveryCodes(deps, userId, now)).codes;
    await deps.uow.run((tx) =>
      audit(tx, deps, ctx, {
        action: "mfa.enroll",
        userId,
        details: { type: "webauthn", factor_id: added.factorId, backup_eligible: added.backupEligible },
      }),
    );
    return { factorId: added.factorId, recoveryCodes: codes };
  };
}

export type FinishPasskeyRegistration = ReturnType<typeof makeFinishPasskeyRegistration>;
