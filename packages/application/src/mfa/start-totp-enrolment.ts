import {
  type Clock,
  DomainError,
  type MfaRepository,
  type QrCodes,
  type SecretBox,
  type Totp,
  type UserRepository,
} from "@gatehouse/domain";

export interface StartTotpEnrolmentDeps {
  readonly users: Pick<UserRepository, "find">;
  readonly mfa: Pick<MfaRepository, "startTotp">;
  readonly totp: Pick<Totp, "newSecret" | "keyUri">;
  readonly secretBox: Pick<SecretBox, "seal">;
  readonly qrCodes: QrCodes;
  readonly clock: Clock;
  /** The issuer authenticator apps show next to the account (the service name). */
  readonly issuer: string;
}

export interface TotpEnrolment {
  readonly factorId: string;
  /** Base32, for typing into an app that cannot scan. */
  readonly secret: string;
  readonly otpauthUri: string;
  /** The URI as a QR code, an SVG `data:` URL. */
  readonly qrCode: string;
}

/**
 * Starts (or restarts) enrolling an authenticator app: a new secret, sealed at rest, in a
 * pending factor that guards nothing until `confirmTotpEnrolment` sees a valid code. A user
 * with a confirmed app gets MFA_ALREADY_ENROLLED (remove it first).
 */
export function makeStartTotpEnrolment(deps: StartTotpEnrolmentDeps) {
  return async function startTotpEnrolment(userId: string): Promise<TotpEnrolment> {
    const found = await deps.users.find(userId);
    if (found === undefined) throw new DomainError("USER_NOT_FOUND");
    const secret = deps.totp.newSecret();
    const factor = await deps.mfa.startTotp({
      userId,
      secretCiphertext: deps.secretBox.seal(secret),
      now: deps.clock.now(),
    });
    if (factor === undefined) throw new DomainError("MFA_ALREADY_ENROLLED");
    const otpauthUri = deps.totp.keyUri({ secret, issuer: deps.issuer, account: found.user.email });
    return { factorId: factor.id, secret, otpauthUri, qrCode: await deps.qrCodes.svgDataUrl(otpauthUri) };
  };
}

export type StartTotpEnrolment = ReturnType<typeof makeStartTotpEnrolment>;
