import type { AuthMethod, MfaChallengePurpose, MfaFactor, SessionAssurance } from "../mfa/mfa.js";

/** A TOTP factor with what verifying a code needs: the sealed secret and the replay guard. */
export interface TotpFactorRecord extends MfaFactor {
  readonly type: "totp";
  /** The secret sealed by {@link SecretBox}; never stored or logged in the clear. */
  readonly secretCiphertext: string;
  /** The last RFC 6238 time step accepted: a code of this step or an earlier one is refused. */
  readonly lastTimeStep: number | null;
}

/** What a login that passed its first factor waits with until the second (the `mfa_token`). */
export interface MfaChallenge {
  /** SHA-256 of the `mfa_token`; the token itself is only ever in the client's hands. */
  readonly tokenHash: string;
  readonly userId: string;
  /** A login's second step, or the enrolment a policy requires; a token of one purpose does nothing for the other. */
  readonly purpose: MfaChallengePurpose;
  /** A hash of the client that got the token (user agent and address): another client cannot use it. */
  readonly clientHash: string;
  /** The first factor already proven, carried into the session the challenge completes. */
  readonly amr: readonly AuthMethod[];
  readonly authTime: Date;
  readonly expiresAt: Date;
}

/**
 * Second factors, login challenges and the assurance of sessions. Every check-then-act is one
 * statement: accepting a TOTP step, using a recovery code and consuming a challenge each
 * succeed for exactly one of any number of concurrent callers.
 */
export interface MfaRepository {
  /** The user's factors, oldest first, pending TOTP enrolment included (confirmedAt null). */
  listFactors(userId: string): Promise<MfaFactor[]>;
  /**
   * Starts a TOTP enrolment: a pending factor holding the sealed secret, replacing a pending
   * one. Undefined when the user already has a confirmed TOTP factor.
   */
  startTotp(input: { userId: string; secretCiphertext: string; now: Date }): Promise<MfaFactor | undefined>;
  /** The user's TOTP factor, pending or confirmed. */
  findTotp(userId: string): Promise<TotpFactorRecord | undefined>;
  /**
   * Records `timeStep` as the factor's last accepted step if it is later than the stored one
   * (the replay guard), and with `confirm` also confirms a pending factor (a confirmed one is
   * then refused; without `confirm` a pending one is). False: refused, nothing written.
   */
  acceptTotpStep(input: { factorId: string; timeStep: number; now: Date; confirm: boolean }): Promise<boolean>;
  /**
   * Replaces the user's recovery codes with `codeHashes` (the old set stops working) and
   * returns the `recovery_codes` factor.
   */
  replaceRecoveryCodes(input: { userId: string; codeHashes: readonly string[]; now: Date }): Promise<MfaFactor>;
  /** Marks the user's unused code with `codeHash` used; false when there is none (unknown or spent). */
  useRecoveryCode(input: { userId: string; codeHash: string; now: Date }): Promise<boolean>;
  /** How many of the user's recovery codes are still unused. */
  countUnusedRecoveryCodes(userId: string): Promise<number>;
  /** Deletes the user's factor `factorId` (its codes with it); undefined when the user has no such factor. */
  removeFactor(userId: string, factorId: string): Promise<MfaFactor | undefined>;
  /**
   * Deletes every factor of the user in one statement: TOTP (pending too), recovery codes and
   * passkeys with their credentials. Returns what was removed (empty when there was nothing).
   */
  removeAllFactors(userId: string): Promise<MfaFactor[]>;

  /** Stores a login challenge. */
  createChallenge(challenge: MfaChallenge): Promise<void>;
  /** The live challenge with `tokenHash`, left in place (a passkey's options are bound to it before it is used). */
  findChallenge(tokenHash: string, now: Date): Promise<MfaChallenge | undefined>;
  /**
   * Deletes and returns the live challenge with `tokenHash` and `purpose`: a second consume gets
   * undefined, and a token of the other purpose is left as it was.
   */
  consumeChallenge(tokenHash: string, now: Date, purpose: MfaChallengePurpose): Promise<MfaChallenge | undefined>;

  /** Records (or, for a step-up, raises) the assurance of session `sessionId`. */
  recordSessionAssurance(input: { sessionId: string; userId: string; assurance: SessionAssurance }): Promise<void>;
  /** What session `sessionId` was authenticated with; undefined for sessions older than MFA (aal1). */
  findSessionAssurance(sessionId: string): Promise<SessionAssurance | undefined>;
}

/**
 * Authenticated encryption of small secrets at rest (TOTP seeds under MFA_ENCRYPTION_KEY, the
 * passwords the Keycloak sync must still hand over). The sealed form names the key that sealed
 * it, so keys can be rotated: new seals use the first key, every listed key still opens.
 * `context` (e.g. the owning user's id) is authenticated with the ciphertext, so a sealed value
 * moved to another row does not open.
 */
export interface SecretBox {
  seal(plaintext: string, context?: string): string;
  /** @throws Error when no configured key opens `sealed` under `context` or it was tampered with. */
  open(sealed: string, context?: string): string;
}

/** RFC 6238 TOTP (SHA-1, 6 digits, 30 s steps) and the provisioning URI authenticator apps read. */
export interface Totp {
  /** A new random shared secret, base32 (160 bits). */
  newSecret(): string;
  /** The `otpauth://totp/...` URI for `secret`. */
  keyUri(input: { secret: string; issuer: string; account: string }): string;
  /** The time step of `at`, Unix seconds / 30. */
  stepAt(at: Date): number;
  /** The step (within ±1 of `at`) whose code is `code`, or undefined; compared in constant time. */
  matchingStep(secret: string, code: string, at: Date): number | undefined;
}

/** Renders a QR code of `text` as an SVG `data:` URL, for the enrolment screen. */
export interface QrCodes {
  svgDataUrl(text: string): Promise<string>;
}

/** Recovery codes: high-entropy, typed by hand, stored hashed. */
export interface RecoveryCodes {
  /** A new code: 60 random bits as 12 base32 characters in groups of four. */
  newCode(): string;
  /** SHA-256 of the code's canonical form (case and separators ignored). */
  hash(code: string): string;
}
