import {
  type AccessTokens,
  type Clock,
  type MfaRepository,
  type OpaqueTokens,
  type PasswordHasher,
  type PasswordPolicy,
  type RequestContext,
  type RoleGrant,
  sessionBlockedError,
  type TransactionalRepositories,
  type UnitOfWork,
  type User,
  type UserRepository,
} from "@gatehouse/domain";
import { gateFirstFactor, issueAssuredTokens, type MfaChallengeResult, type MfaGateDeps } from "../mfa/mfa-gate.js";
import { recordRefusal } from "../shared/refusals.js";
import { type CredentialFailures, checkCredentials, invalidCredentials } from "./check-credentials.js";
import { trustedDevice } from "./credential-attempts.js";
import { openSession } from "./open-session.js";
import { preparePasswordUpgrade } from "./password-upgrade.js";
import type { RefreshTokenPolicy, SessionTokens } from "./session-tokens.js";

export interface LogInInput {
  readonly email: string;
  readonly password: string;
}

/** The device token a login hands out (once; only its hash is stored). */
export interface IssuedDeviceToken {
  readonly token: string;
  readonly expiresAt: Date;
  /** Its lifetime in seconds (DEVICE_TOKEN_DAYS): the cookie's Max-Age. */
  readonly expiresIn: number;
}

export interface LogInResult {
  readonly tokens: SessionTokens;
  /** Password logins only: the token proves this client knew the account's password. */
  readonly device?: IssuedDeviceToken;
  readonly user: User;
  readonly roles: readonly RoleGrant[];
}

export interface LogInDeps {
  readonly users: Pick<UserRepository, "findByEmail" | "find">;
  /**
   * What login writes: the new session's first refresh token, the device token, the audit
   * entries and (for an imported or weaker hash) the user's upgraded password hash.
   */
  readonly uow: UnitOfWork<Pick<TransactionalRepositories, "refreshTokens" | "auditLog" | "deviceTokens" | "users">>;
  readonly hasher: PasswordHasher;
  readonly opaqueTokens: OpaqueTokens;
  readonly accessTokens: AccessTokens;
  readonly clock: Clock;
  readonly passwordPolicy: PasswordPolicy;
  readonly refreshPolicy: RefreshTokenPolicy;
  /** The failure budgets every password check spends (per device, per account for the untrusted). */
  readonly credentialFailures: CredentialFailures;
  /** DEVICE_TOKEN_DAYS: how long a device stays known without a new login. */
  readonly deviceTokenTtlSeconds: number;
  /** ENUMERATION_PROTECTION: an unverified account answers 401 like a wrong password (see below). */
  readonly enumerationProtection?: boolean;
  /** Second factors: the gate's challenge, and the new session's recorded assurance. */
  readonly mfa: MfaGateDeps["mfa"] & Pick<MfaRepository, "recordSessionAssurance">;
  /** MFA_POLICY: a user it covers who has no factor gets an enrolment-only challenge. */
  readonly mfaPolicy?: MfaGateDeps["mfaPolicy"];
}

/**
 * Password login. Unknown email, wrong password and soft-deleted user are indistinguishable:
 * same error, and the same argon2 work (a dummy hash when there is no user). Only after the
 * password is proven does a non-active status surface as its own 403 code.
 *
 * Each attempt first takes a slot of a failure budget shared with every other path that checks
 * this account's password: the presented device token's own budget, or else the account's
 * untrusted budget behind progressive delays, so a distributed guess at one account slows down
 * however many addresses and endpoints it comes from while the owner's known devices still get
 * in; a proven password gives the slot back. Keys follow the email as typed (normalized), never
 * whether an account exists, so an unknown and a known email run out, and answer 429, alike.
 *
 * A successful login hands out a new device token and revokes the one it presented (rotation).
 * A user with a second factor gets no session yet: the MFA gate answers a challenge instead,
 * which `POST /auth/mfa/verify` completes.
 */
export function makeLogIn(deps: LogInDeps) {
  return async function logIn(input: LogInInput, ctx: RequestContext): Promise<LogInResult | MfaChallengeResult> {
    const user = await checkCredentials(deps, input, ctx, "auth.login_failed");
    const blocked = sessionBlockedError(user.status);
    if (blocked) {
      await recordRefusal(deps, ctx, {
        action: "auth.login_failed",
        userId: user.id,
        details: { reason: `status_${user.status}` },
      });
      // A registration with a taken email creates nothing, so logging in with its password gets
      // 401; with protection a new (unverified) registration must answer the same.
      throw deps.enumerationProtection && user.status === "pending_verification" ? invalidCredentials() : blocked;
    }
    const withRoles = await deps.users.find(user.id);
    if (withRoles === undefined) throw invalidCredentials(); // deleted between the two reads

    const presented = await trustedDevice(deps.credentialFailures, ctx, user.id);
    // An imported or weaker hash is replaced in the transaction that opens the session.
    const upgrade = await preparePasswordUpgrade(deps, ctx, user, input.password);
    const gate = await gateFirstFactor(deps, ctx, { userId: user.id, method: "pwd", roles: withRoles.roles });
    if ("challenge" in gate) {
      // Only this request knows the password, so the rehash cannot wait for the second factor.
      await deps.uow.run(upgrade);
      return gate.challenge;
    }
    const now = deps.clock.now();
    const deviceExpiresAt = new Date(now.getTime() + deps.deviceTokenTtlSeconds * 1000);
    const { stored, refreshToken, device } = await deps.uow.run(async (tx) => {
      await upgrade(tx);
      const session = await openSession(tx, deps, ctx, { userId: user.id, now, action: "auth.login" });
      const device = deps.opaqueTokens.generate();
      const deviceToken = {
        userId: user.id,
        tokenHash: device.hash,
        expiresAt: deviceExpiresAt,
        userAgent: ctx.userAgent,
        ipAddress: ctx.ipAddress,
      };
      await tx.deviceTokens.issue(deviceToken, now, presented?.id);
      return { ...session, device };
    });
    const tokens = await issueAssuredTokens(deps, withRoles, { stored, refreshToken }, now, gate.assurance);
    return {
      tokens,
      device: { token: device.token, expiresAt: deviceExpiresAt, expiresIn: deps.deviceTokenTtlSeconds },
      user: withRoles.user,
      roles: withRoles.roles,
    };
  };
}

export type LogIn = ReturnType<typeof makeLogIn>;
