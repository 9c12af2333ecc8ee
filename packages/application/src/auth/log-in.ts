import {
  type AccessTokens,
  type Clock,
  type OpaqueTokens,
  type PasswordHasher,
  type PasswordPolicy,
  type RequestContext,
  type RoleGrant,
  sessionBlockedError,
  type UnitOfWork,
  type User,
  type UserRepository,
} from "@gatehouse/domain";
import { recordRefusal } from "../shared/refusals.js";
import { type CredentialFailures, checkCredentials, invalidCredentials } from "./check-credentials.js";
import { openSession } from "./open-session.js";
import { preparePasswordUpgrade } from "./password-upgrade.js";
import { packSessionTokens, type RefreshTokenPolicy, type SessionTokens } from "./session-tokens.js";

export interface LogInInput {
  readonly email: string;
  readonly password: string;
}

export interface LogInResult {
  readonly tokens: SessionTokens;
  readonly user: User;
  readonly roles: readonly RoleGrant[];
}

export interface LogInDeps {
  readonly users: Pick<UserRepository, "findByEmail" | "find">;
  readonly uow: UnitOfWork;
  readonly hasher: PasswordHasher;
  readonly opaqueTokens: OpaqueTokens;
  readonly accessTokens: AccessTokens;
  readonly clock: Clock;
  readonly passwordPolicy: PasswordPolicy;
  readonly refreshPolicy: RefreshTokenPolicy;
  /** Failed attempts per account (normalized email), whatever the path and address they come from. */
  readonly credentialFailures: CredentialFailures;
  /** ENUMERATION_PROTECTION: an unverified account answers 401 like a wrong password (see below). */
  readonly enumerationProtection?: boolean;
}

/**
 * Password login. Unknown email, wrong password and soft-deleted user are indistinguishable:
 * same error, and the same argon2 work (a dummy hash when there is no user). Only after the
 * password is proven does a non-active status surface as its own 403 code.
 *
 * Each attempt first takes a slot of the email's failure budget (shared with every other path
 * that checks this account's password), so a distributed guess at one account slows down
 * however many addresses and endpoints it comes from; a proven password gives the slot back. The budget is keyed by the email as typed (normalized), never by whether an account
 * exists, so an unknown and a known email run out, and answer 429, alike.
 */
export function makeLogIn(deps: LogInDeps) {
  return async function logIn(input: LogInInput, ctx: RequestContext): Promise<LogInResult> {
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

    // An imported or weaker hash is replaced in the transaction that opens the session.
    const upgrade = await preparePasswordUpgrade(deps, ctx, user, input.password);
    const now = deps.clock.now();
    const { stored, refreshToken } = await deps.uow.run(async (tx) => {
      await upgrade(tx);
      return openSession(tx, deps, ctx, { userId: user.id, now, action: "auth.login" });
    });
    const tokens = await packSessionTokens(deps.accessTokens, deps.refreshPolicy, {
      userId: withRoles.user.id,
      roles: withRoles.roles,
      sessionId: stored.familyId,
      refreshToken,
      refreshExpiresAt: stored.expiresAt,
      now,
    });
    return { tokens, user: withRoles.user, roles: withRoles.roles };
  };
}

export type LogIn = ReturnType<typeof makeLogIn>;
