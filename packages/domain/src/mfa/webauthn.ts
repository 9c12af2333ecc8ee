/** How long a WebAuthn challenge waits for its ceremony (the browser's own timeout is shorter). */
export const WEBAUTHN_CHALLENGE_TTL_SECONDS = 300;

/** A passkey or security key a user registered: a `webauthn` factor with what verifying needs. */
export interface WebAuthnCredential {
  /** The `mfa_factors` id: listing and removal go through the factor. */
  readonly factorId: string;
  readonly userId: string;
  /** The credential id the authenticator chose, base64url. */
  readonly credentialId: string;
  /** The COSE public key, base64url: public, so not sealed. */
  readonly publicKey: string;
  /** The signature counter last accepted (0 for authenticators that do not count). */
  readonly counter: number;
  readonly transports: readonly string[];
  /** BE flag: the credential may be synced to other devices (a "synced passkey"). */
  readonly backupEligible: boolean;
  /** BS flag as last seen: the credential is backed up right now. */
  readonly backupState: boolean;
  /** The authenticator model, a UUID string (all zeros when the authenticator keeps it to itself). */
  readonly aaguid: string;
  readonly name: string;
  readonly createdAt: Date;
  readonly lastUsedAt: Date | null;
}

/** The three ceremonies a challenge can be issued for; a challenge serves only its own. */
export type WebAuthnCeremony = "registration" | "second_factor" | "passwordless";

/**
 * A challenge waiting for its ceremony, stored under the SHA-256 of the challenge (the value
 * the browser signs comes back in `clientDataJSON`, so nothing else needs to be kept).
 */
export interface WebAuthnChallenge {
  readonly challengeHash: string;
  readonly ceremony: WebAuthnCeremony;
  /** Registration and second factor: whose ceremony it is. Null for a passwordless login. */
  readonly userId: string | null;
  /** Second factor: the hash of the `mfa_token` whose login the assertion completes. */
  readonly mfaTokenHash: string | null;
  readonly expiresAt: Date;
}

/**
 * RFC 8176 for a passkey: `swk` when the credential may leave the device (backup eligible, a
 * synced passkey held in software), `hwk` when it is bound to one authenticator.
 */
export function passkeyMethod(credential: Pick<WebAuthnCredential, "backupEligible">): "hwk" | "swk" {
  return credential.backupEligible ? "swk" : "hwk";
}

/**
 * Whether a signature counter may follow `stored`: it must grow, except for
 * authenticators that never count (both zero). Anything else may be a cloned authenticator.
 */
export function counterAdvances(stored: number, presented: number): boolean {
  return (stored === 0 && presented === 0) || presented > stored;
}
