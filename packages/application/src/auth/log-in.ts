import {
  type AccessTokens,
  type Clock,
  type OpaqueTokens,
  type PasswordHasher,
  type PasswordPolicy,
  type RateLimiter,
  type RateLimitRule,
  type RequestContext,
  type RoleGrant,
  rateLimitExceeded,
  sessionBlockedError,
  type UnitOfWork,
  type User,
  type UserRepository,
} from "@gatehouse/domain";
import { audit } from "../shared/audit-entry-for.js";
import { recordRefusal } from "../shared/refusals.js";
import { checkCredentials, invalidCredentials } from "./check-credentials.js";
import {
  packSessionTokens,
  type RefreshTokenPolicy,
  refreshExpiry,
  type SessionTokens,
  sessionExpiry,
} from "./session-tokens.js";

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
  /** Failed attempts per account (normalized email), whatever the address they come from. */
  readonly loginFailures: { readonly limiter: Pick<RateLimiter, "hit" | "refund">; readonly rule: RateLimitRule };
}

/**
 * Password login. Unknown email, wrong password and soft-deleted user are indistinguishable:
 * same error, and the same argon2 work (a dummy hash when there is no user). Only after the
 * password is proven does a non-active status surface as its own 403 code.
 *
 * Each attempt first takes a slot of the email's failure budget, so a distributed guess at one
 * account slows down however many addresses it comes from; a proven password gives the slot
 * back. The budget is keyed by the email as typed (normalized), never by whether an account
 * exists, so an unknown and a known email run out, and answer 429, alike.
 */
export function makeLogIn(deps: LogInDeps) {
  return async function logIn(input: LogInInput, ctx: RequestContext): Promise<LogInResult> {
    const { limiter, rule } = deps.loginFailures;
    const user = await checkCredentials(deps, input, ctx, "auth.login_failed", {
      async before(email) {
        const attempt = await limiter.hit(`login_failures:${email}`, rule);
        if (!attempt.allowed) {
          await recordRefusal(deps, ctx, {
            action: "auth.login_failed",
            userId: null,
            details: { reason: "too_many_failures" },
          });
          throw rateLimitExceeded(attempt, rule);
        }
      },
      proven: (email) => limiter.refund(`login_failures:${email}`, rule),
    });
    const blocked = sessionBlockedError(user.status);
    if (blocked) {
      await recordRefusal(deps, ctx, {
        action: "auth.login_failed",
        userId: user.id,
        details: { reason: `status_${user.status}` },
      });
      throw blocked;
    }
    const withRoles = await deps.users.find(user.id);
    if (withRoles === undefined) throw invalidCredentials(); // deleted between the two reads

    const now = deps.clock.now();
    const refresh = deps.opaqueTokens.generate();
    const sessionExpiresAt = sessionExpiry(now, deps.refreshPolicy);
    const stored = await deps.uow.run(async (tx) => {
      const token = await tx.refreshTokens.insert({
        userId: user.id,
        parentId: null,
        tokenHash: refresh.hash,
        expiresAt: refreshExpiry(now, deps.refreshPolicy, sessionExpiresAt),
        sessionExpiresAt,
        userAgent: ctx.userAgent,
        ipAddress: ctx.ipAddress,
      });
      await audit(tx, deps, ctx, {
        action: "auth.login",
        userId: user.id,
        details: { session_id: token.familyId },
      });
      return token;
    });
    const tokens = await packSessionTokens(deps.accessTokens, deps.refreshPolicy, {
      userId: withRoles.user.id,
      roles: withRoles.roles,
      sessionId: stored.familyId,
      refreshToken: refresh.token,
      refreshExpiresAt: stored.expiresAt,
      now,
    });
    return { tokens, user: withRoles.user, roles: withRoles.roles };
  };
}

export type LogIn = ReturnType<typeof makeLogIn>;
