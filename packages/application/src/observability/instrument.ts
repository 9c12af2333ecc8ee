import {
  type Cache,
  type ErrorCode,
  isDomainError,
  type LoginOutcome,
  type PasswordHasher,
  RateLimitCategories,
  type RateLimiter,
  type RefreshTokenRepository,
  type RegistrationOutcome,
  type RevocationReason,
  type Telemetry,
  type TransactionalRepositories,
  type UnitOfWork,
} from "@gatehouse/domain";
import type { LogIn } from "../auth/log-in.js";
import type { RegisterUser } from "../registration/register-user.js";

/*
 * Decorators that report outcomes to the Telemetry port without the use cases knowing: each
 * wraps a use case or a port and classifies what it returned or threw. The server applies
 * them once, where it wires the use cases.
 */

/**
 * `target` with some methods replaced; every other member is read from `target` itself, and
 * its methods are bound to it (adapters may keep private fields a proxy receiver cannot read).
 */
function withOverrides<T extends object>(target: T, overrides: Partial<T>): T {
  return new Proxy(target, {
    get(object, property) {
      if (Object.hasOwn(overrides, property)) return overrides[property as keyof T];
      const value: unknown = Reflect.get(object, property, object);
      return typeof value === "function" ? value.bind(object) : value;
    },
  });
}

const LOGIN_OUTCOME_BY_CODE: Partial<Record<ErrorCode, LoginOutcome>> = {
  INVALID_CREDENTIALS: "invalid_credentials",
  VALIDATION_ERROR: "invalid_credentials",
  ACCOUNT_NOT_VERIFIED: "not_verified",
  ACCOUNT_PENDING_APPROVAL: "blocked",
  ACCOUNT_SUSPENDED: "blocked",
  ACCOUNT_DEACTIVATED: "blocked",
  RATE_LIMIT_EXCEEDED: "rate_limited",
};

const REGISTRATION_OUTCOME_BY_CODE: Partial<Record<ErrorCode, RegistrationOutcome>> = {
  VALIDATION_ERROR: "invalid",
  DUPLICATE_EMAIL: "conflict",
  DUPLICATE_USERNAME: "conflict",
  CONFLICT: "conflict",
  RATE_LIMIT_EXCEEDED: "rate_limited",
};

function outcomeOf<T extends string>(error: unknown, byCode: Partial<Record<ErrorCode, T>>, fallback: T): T {
  return (isDomainError(error) && byCode[error.code]) || fallback;
}

/** Password login counted by outcome; anything unexpected (a database outage) is `error`. */
export function instrumentLogIn(logIn: LogIn, telemetry: Telemetry): LogIn {
  return async (input, ctx) => {
    try {
      const result = await logIn(input, ctx);
      // A held login is not a success yet: the password was right, a second step (or the
      // enrolment MFA_POLICY asks for) stands between it and a session.
      if (!("mfaRequired" in result)) telemetry.login("password", "success");
      else telemetry.login("password", result.enrollmentRequired ? "mfa_enrollment_required" : "mfa_required");
      return result;
    } catch (error) {
      telemetry.login("password", outcomeOf(error, LOGIN_OUTCOME_BY_CODE, "error"));
      throw error;
    }
  };
}

/**
 * Registration counted by outcome. With enumeration protection a taken address answers like
 * a new one and is counted as `success` too: the use case does not tell them apart.
 */
export function instrumentRegisterUser(registerUser: RegisterUser, telemetry: Telemetry): RegisterUser {
  return async (input, ctx) => {
    try {
      const result = await registerUser(input, ctx);
      telemetry.registration("success");
      return result;
    } catch (error) {
      telemetry.registration(outcomeOf(error, REGISTRATION_OUTCOME_BY_CODE, "error"));
      throw error;
    }
  };
}

const CATEGORIES: ReadonlySet<string> = new Set(RateLimitCategories);

/** Refused hits counted by category, read from the key's `category:` prefix (every caller uses one). */
export function instrumentRateLimiter<L extends Pick<RateLimiter, "hit">>(limiter: L, telemetry: Telemetry): L {
  const hit: RateLimiter["hit"] = async (key, rule) => {
    const decision = await limiter.hit(key, rule);
    if (!decision.allowed) {
      const category = key.slice(0, key.indexOf(":"));
      telemetry.rateLimited(CATEGORIES.has(category) ? category : "other");
    }
    return decision;
  };
  return withOverrides<Pick<RateLimiter, "hit">>(limiter, { hit }) as L;
}

/**
 * Revoked sessions counted by reason once their transaction committed (a rolled-back
 * revocation did not happen). Rotation retires one token, not a session, and is not counted.
 */
export function instrumentUnitOfWork(uow: UnitOfWork, telemetry: Telemetry): UnitOfWork {
  return {
    async run(work) {
      const revoked: Array<[RevocationReason, number]> = [];
      const counted = (tokens: RefreshTokenRepository): RefreshTokenRepository =>
        withOverrides(tokens, {
          async revokeFamily(familyId, reason, at) {
            const count = await tokens.revokeFamily(familyId, reason, at);
            revoked.push([reason, count]);
            return count;
          },
          async revokeAllForUser(userId, reason, at, keepFamilyId) {
            const families = await tokens.revokeAllForUser(userId, reason, at, keepFamilyId);
            revoked.push([reason, families.length]);
            return families;
          },
        });
      const result = await uow.run((tx: TransactionalRepositories) =>
        work({ ...tx, refreshTokens: counted(tx.refreshTokens) }),
      );
      for (const [reason, count] of revoked) if (count > 0) telemetry.revocations(reason, count);
      return result;
    },
  };
}

/** Hashes waiting or running (the queue gauge) and their duration, waiting for a slot included. */
export function instrumentPasswordHasher<H extends PasswordHasher>(hasher: H, telemetry: Telemetry): H {
  const timed =
    <A extends unknown[], R>(operation: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      const started = performance.now();
      telemetry.passwordHashStarted();
      try {
        return await operation(...args);
      } finally {
        telemetry.passwordHashFinished((performance.now() - started) / 1000);
      }
    };
  const hash = timed((password: string) => hasher.hash(password));
  const verify = timed((password: string, stored: string | undefined) => hasher.verify(password, stored));
  return withOverrides<PasswordHasher>(hasher, { hash, verify }) as H;
}

/**
 * Cache reads counted as hit or miss. A cache answers a miss when its backend fails; those
 * failures are counted as `error` by the adapter's own figures (see the metrics adapter).
 */
export function instrumentCache<C extends Cache>(cache: C, telemetry: Telemetry): C {
  const get: Cache["get"] = async <T>(key: string) => {
    const value = await cache.get<T>(key);
    telemetry.cacheRequest(value === undefined ? "miss" : "hit");
    return value;
  };
  return withOverrides<Cache>(cache, { get }) as C;
}
