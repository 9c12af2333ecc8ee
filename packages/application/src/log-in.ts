import {
  type AccessTokens,
  type Clock,
  DomainError,
  normalizeEmail,
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
  validationError,
} from "@gatehouse/domain";
import { auditEntryFor } from "./audit-entry-for.js";
import { packSessionTokens, type RefreshTokenPolicy, refreshExpiry, type SessionTokens } from "./session-tokens.js";

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
  readonly users: Pick<UserRepository, "findByEmail" | "findWithRoles">;
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

const invalidCredentials = () => new DomainError("INVALID_CREDENTIALS", "Invalid email or password");

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
  async function recordFailure(ctx: RequestContext, userId: string | null, reason: string): Promise<void> {
    await deps.uow.run((tx) =>
      tx.auditLog.append(
        auditEntryFor(deps.clock, ctx, { action: "auth.login_failed", userId, status: "failure", details: { reason } }),
      ),
    );
  }

  return async function logIn(input: LogInInput, ctx: RequestContext): Promise<LogInResult> {
    // Depends only on the input, so rejecting early reveals nothing about accounts.
    if (input.password.length > deps.passwordPolicy.maxLength) {
      throw validationError([
        { field: "password", message: `must be at most ${deps.passwordPolicy.maxLength} characters` },
      ]);
    }
    const email = normalizeEmail(input.email);
    const { limiter, rule } = deps.loginFailures;
    const failureKey = `login_failures:${email}`;
    const attempt = await limiter.hit(failureKey, rule);
    if (!attempt.allowed) {
      await recordFailure(ctx, null, "too_many_failures");
      throw rateLimitExceeded(attempt, rule);
    }
    const user = await deps.users.findByEmail(email);
    const passwordMatches = await deps.hasher.verify(input.password, user?.passwordHash);
    if (passwordMatches) await limiter.refund(failureKey, rule);
    if (user === undefined || !passwordMatches) {
      await recordFailure(ctx, user?.id ?? null, user === undefined ? "unknown_account" : "wrong_password");
      throw invalidCredentials();
    }
    const blocked = sessionBlockedError(user.status);
    if (blocked) {
      await recordFailure(ctx, user.id, `status_${user.status}`);
      throw blocked;
    }
    const withRoles = await deps.users.findWithRoles(user.id);
    if (withRoles === undefined) throw invalidCredentials(); // deleted between the two reads

    const now = deps.clock.now();
    const refresh = deps.opaqueTokens.generate();
    const stored = await deps.uow.run(async (tx) => {
      const token = await tx.refreshTokens.insert({
        userId: user.id,
        parentId: null,
        tokenHash: refresh.hash,
        expiresAt: refreshExpiry(now, deps.refreshPolicy),
        userAgent: ctx.userAgent,
        ipAddress: ctx.ipAddress,
      });
      await tx.auditLog.append(
        auditEntryFor(deps.clock, ctx, {
          action: "auth.login",
          userId: user.id,
          details: { session_id: token.familyId },
        }),
      );
      return token;
    });
    const tokens = await packSessionTokens(deps.accessTokens, deps.refreshPolicy, {
      user: withRoles.user,
      roles: withRoles.roles,
      sessionId: stored.familyId,
      refreshToken: refresh.token,
    });
    return { tokens, user: withRoles.user, roles: withRoles.roles };
  };
}

export type LogIn = ReturnType<typeof makeLogIn>;
