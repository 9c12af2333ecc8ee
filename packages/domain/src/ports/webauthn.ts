import type { WebAuthnChallenge, WebAuthnCredential } from "../mfa/webauthn.js";

/**
 * Single-use WebAuthn challenges (Redis with REDIS_URL, else the database). Consuming is one
 * atomic take (GETDEL, DELETE … RETURNING): of concurrent ceremonies presenting one challenge,
 * exactly one gets the record.
 */
export interface WebAuthnChallengeStore {
  save(challenge: WebAuthnChallenge): Promise<void>;
  /** Deletes and returns the live challenge with `challengeHash`; undefined when unknown, used or expired. */
  consume(challengeHash: string, now: Date): Promise<WebAuthnChallenge | undefined>;
}

/** What registering a credential stores; the factor row and the credential row are written together. */
export type NewWebAuthnCredential = Omit<WebAuthnCredential, "factorId" | "createdAt" | "lastUsedAt"> & {
  readonly now: Date;
};

/** Registered passkeys and security keys, each behind a confirmed `webauthn` factor. */
export interface WebAuthnCredentialRepository {
  /** Stores a credential and its factor; undefined when the credential id is registered already (anyone's). */
  add(credential: NewWebAuthnCredential): Promise<WebAuthnCredential | undefined>;
  /** The user's credentials, oldest first. */
  listForUser(userId: string): Promise<WebAuthnCredential[]>;
  findByCredentialId(credentialId: string): Promise<WebAuthnCredential | undefined>;
  /**
   * Records an accepted assertion: the new counter and backup state, last used, in one
   * conditional statement that only writes while the stored counter is still below `counter`
   * (or both are 0), so of two concurrent assertions with one counter value one wins. False:
   * the counter did not advance, nothing written.
   */
  recordAssertion(input: { credentialId: string; counter: number; backupState: boolean; now: Date }): Promise<boolean>;
}

/** The JSON of a `PublicKeyCredential` as the browser serialises it (`toJSON()`). */
export interface WebAuthnResponseJson {
  readonly id: string;
  readonly rawId: string;
  readonly type: string;
  readonly response: Readonly<Record<string, unknown>>;
  readonly clientExtensionResults: Readonly<Record<string, unknown>>;
  readonly authenticatorAttachment?: string;
}

/** Options for `navigator.credentials.create/get`, as JSON (`PublicKeyCredential.parse*OptionsFromJSON`). */
export type WebAuthnOptionsJson = Readonly<Record<string, unknown>> & { readonly challenge: string };

/** A credential descriptor in options: which credentials to exclude or allow. */
export interface WebAuthnCredentialDescriptor {
  readonly credentialId: string;
  readonly transports: readonly string[];
}

/** What a verified registration proved about the new credential (the caller adds user and name). */
export type VerifiedWebAuthnRegistration = Omit<NewWebAuthnCredential, "userId" | "name" | "now"> & {
  readonly userVerified: boolean;
};

/** What a verified assertion proved. */
export interface VerifiedWebAuthnAssertion {
  readonly counter: number;
  readonly backupState: boolean;
  readonly userVerified: boolean;
}

/**
 * The relying party's ceremonies (W3C WebAuthn Level 3), with the RP id, name and allowed
 * origins fixed by configuration (WEBAUTHN_RP_ID, WEBAUTHN_RP_NAME, WEBAUTHN_ORIGINS), never
 * taken from a request. Verification answers undefined for any response that does not verify
 * (signature, origin, RP id, type, challenge, user presence, counter regression); it never throws
 * for a client's bad input.
 */
export interface WebAuthnRelyingParty {
  registrationOptions(input: {
    userId: string;
    userName: string;
    exclude: readonly WebAuthnCredentialDescriptor[];
  }): Promise<WebAuthnOptionsJson>;
  verifyRegistration(
    response: WebAuthnResponseJson,
    expectedChallenge: string,
  ): Promise<VerifiedWebAuthnRegistration | undefined>;
  authenticationOptions(input: {
    allow: readonly WebAuthnCredentialDescriptor[];
    userVerification: "preferred" | "required";
  }): Promise<WebAuthnOptionsJson>;
  verifyAssertion(input: {
    response: WebAuthnResponseJson;
    expectedChallenge: string;
    credential: WebAuthnCredential;
    requireUserVerification: boolean;
  }): Promise<VerifiedWebAuthnAssertion | undefined>;
  /** The challenge a response's `clientDataJSON` carries, undefined when it has none or is malformed. */
  challengeOf(response: WebAuthnResponseJson): string | undefined;
}
