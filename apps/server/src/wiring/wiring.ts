import {
  type CredentialFailures,
  delayLaddersCappedAt,
  type LifecyclePolicy,
  makeLockoutNotice,
  type RefreshTokenPolicy,
} from "@gatehouse/application";
import { DEFAULT_PASSWORD_POLICY, type PasswordPolicy } from "@gatehouse/domain";
import {
  type Config,
  ConfigError,
  loadBreachFilter,
  makeBreachFilterScreen,
  makeCommonPasswordScreen,
  makeHibpRangeCheck,
  makeZxcvbnAdvisor,
  opaqueTokens,
} from "@gatehouse/infrastructure";
import type { Adapters } from "./adapters.js";
import type { ServingAdapters } from "./serving-adapters.js";

/** The policies the use cases apply, read once from the configuration. */
export interface Policies {
  readonly password: PasswordPolicy;
  readonly refresh: RefreshTokenPolicy;
  readonly lifecycle: LifecyclePolicy;
}

/** What every feature's wiring function receives: the open adapters, the config and the policies. */
export type Wiring = Omit<Adapters, "close"> &
  Omit<ServingAdapters, "close"> & { readonly config: Config; readonly policies: Policies };

/** How long the online breach check may take before it counts as unavailable. */
export const BREACH_CHECK_TIMEOUT_MS = 1500;

/**
 * The password rules (also for `gatehouse admin create`): the defaults with PASSWORD_MIN_LENGTH and
 * PASSWORD_REQUIRE_COMPOSITION, the common-password list always, the breach filter of
 * PASSWORD_BREACH_FILTER_FILE (read here, at start: a bad file stops the start, not a request),
 * the online range check with PASSWORD_BREACH_CHECK=hibp; cheap offline screens first. A refusal
 * carries zxcvbn's feedback.
 */
function breachFilterScreen(file: string | undefined) {
  if (file === undefined) return [];
  try {
    return [makeBreachFilterScreen(loadBreachFilter(file))];
  } catch (error) {
    throw new ConfigError(`PASSWORD_BREACH_FILTER_FILE: ${(error as Error).message}`);
  }
}

export function passwordPolicyFrom(
  config: Pick<Config, "passwordMinLength" | "passwordComposition" | "passwordBreachCheck">,
): PasswordPolicy {
  const breach = config.passwordBreachCheck;
  const online =
    breach.mode === "hibp"
      ? [makeHibpRangeCheck({ url: breach.url, timeoutMs: BREACH_CHECK_TIMEOUT_MS, failClosed: breach.failClosed })]
      : [];
  return {
    ...DEFAULT_PASSWORD_POLICY,
    minLength: config.passwordMinLength,
    composition: config.passwordComposition,
    screens: [makeCommonPasswordScreen(), ...breachFilterScreen(breach.filterFile), ...online],
    advisor: makeZxcvbnAdvisor(),
  };
}

export function policiesFrom(config: Config): Policies {
  const { lifecycle } = config;
  return {
    password: passwordPolicyFrom(config),
    refresh: {
      ttlSeconds: config.jwt.refreshTokenTtlSeconds,
      sessionMaxLifetimeSeconds: config.sessionMaxLifetimeSeconds,
      reuseGraceSeconds: config.refreshReuseGraceSeconds,
    },
    lifecycle: {
      ...lifecycle,
      linkPaths: {
        verify_email: config.pages.linkPaths.verifyEmail,
        reset_password: config.pages.linkPaths.resetPassword,
      },
      resendLimits: {
        cooldownSeconds: lifecycle.resendCooldownSeconds,
        maxPerWindow: lifecycle.resendMaxPerDay,
        windowSeconds: 86_400,
      },
    },
  };
}

/**
 * The failure budgets every password check spends (README "Lockout"): per device token, else
 * per account behind the progressive delays; the owner is mailed when the untrusted one trips.
 */
export function credentialFailuresOf(w: Wiring): CredentialFailures {
  const { users } = w.repositories;
  return {
    limiter: w.rateLimiter,
    rule: w.config.rateLimits.login_failures,
    devices: w.repositories.deviceTokens,
    hashDevice: (token) => opaqueTokens.hash(token),
    clock: w.clock,
    delays: delayLaddersCappedAt(w.config.loginDelayMaxSeconds),
    refusals: w.refusals,
    onUntrustedExhausted: makeLockoutNotice({
      users,
      uow: w.uow,
      clock: w.clock,
      secrets: w.secrets,
      policy: w.policies.lifecycle,
    }),
  };
}
