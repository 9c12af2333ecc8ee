/** The kinds of second factor a user can hold; `webauthn` is a passkey or security key. */
export type MfaFactorType = "totp" | "recovery_codes" | "webauthn";

/** A user's factor as its owner sees it: never the secret behind it. */
export interface MfaFactor {
  readonly id: string;
  readonly userId: string;
  readonly type: MfaFactorType;
  /** Null while a TOTP enrolment waits for its first valid code: such a factor guards nothing. */
  readonly confirmedAt: Date | null;
  readonly createdAt: Date;
  readonly lastUsedAt: Date | null;
}

/** RFC 8176 authentication method references Gatehouse puts in `amr`. */
export type AuthMethod = "pwd" | "otp" | "mfa" | "fed" | "hwk" | "swk" | "user";

/** NIST SP 800-63B authenticator assurance levels, the `acr` claim. */
export type AssuranceLevel = "aal1" | "aal2";

/** How a session was authenticated: what its access tokens say in `amr`, `acr` and `auth_time`. */
export interface SessionAssurance {
  readonly amr: readonly AuthMethod[];
  readonly acr: AssuranceLevel;
  /** When the user last proved a factor (RFC 9470 `max_age` counts from here). */
  readonly authTime: Date;
}

/** A first factor alone (a password, a federated login): aal1. */
export function firstFactorAssurance(method: "pwd" | "fed", at: Date): SessionAssurance {
  return { amr: [method], acr: "aal1", authTime: at };
}

/**
 * The first factor completed by a second: aal2, `mfa` added, and `otp` for a TOTP code or
 * `hwk`/`swk` for a passkey (a recovery code has no RFC 8176 value of its own, so only `mfa`
 * records it).
 */
export function withSecondFactor(
  first: SessionAssurance,
  method: "totp" | "recovery_code" | "hwk" | "swk",
  at: Date,
): SessionAssurance {
  const added: AuthMethod[] = method === "recovery_code" ? ["mfa"] : [method === "totp" ? "otp" : method, "mfa"];
  return { amr: [...new Set([...first.amr, ...added])], acr: "aal2", authTime: at };
}

/** The factors that, confirmed, make a login ask for a second step (recovery codes only back them up). */
export function guardsLogin(factor: MfaFactor): boolean {
  return factor.confirmedAt !== null && factor.type !== "recovery_codes";
}

/**
 * A passkey with user verification as the only factor (passwordless): something held (`hwk`
 * or `swk`) and the user verified on it (`user`, a PIN or biometric), which is aal2 by itself.
 */
export function passkeyAssurance(method: "hwk" | "swk", at: Date): SessionAssurance {
  return { amr: [method, "user"], acr: "aal2", authTime: at };
}

/**
 * What an `mfa_token` lets its holder do: finish a login with a factor the user has (`login`),
 * or enrol the first factor a policy requires before any session is opened (`enrollment`).
 */
export type MfaChallengePurpose = "login" | "enrollment";

/**
 * MFA_POLICY: whether users may go without a second factor. `optional` lets each user opt in;
 * `required` makes everyone enrol; `required_for_roles` makes holders of any of the named roles
 * enrol. A user the policy covers who has no factor yet gets an enrolment-only token at login.
 */
export type MfaPolicy =
  | { readonly mode: "optional" }
  | { readonly mode: "required" }
  | { readonly mode: "required_for_roles"; readonly roles: readonly string[] };

/** Whether `policy` makes a holder of `roleNames` keep a second factor. */
export function policyRequiresFactor(policy: MfaPolicy, roleNames: readonly string[]): boolean {
  if (policy.mode === "optional") return false;
  if (policy.mode === "required") return true;
  return roleNames.some((name) => policy.roles.includes(name));
}

/**
 * Parses MFA_POLICY (`optional`, `required`, or `required_for_roles=<role>,<role>`); undefined
 * when the text is none of them, so configuration can name the variable in its error.
 */
export function parseMfaPolicy(text: string): MfaPolicy | undefined {
  const value = text.trim();
  if (value === "optional" || value === "required") return { mode: value };
  const match = /^required_for_roles=(.+)$/.exec(value);
  const roles = match?.[1]
    ?.split(",")
    .map((role) => role.trim())
    .filter((role) => role !== "");
  return roles === undefined || roles.length === 0 ? undefined : { mode: "required_for_roles", roles };
}
