import type { RateLimitDecision, RateLimitRule } from "@gatehouse/domain";

/** What a sliding-window log knows after a check, in milliseconds since the epoch. */
export interface WindowState {
  readonly allowed: boolean;
  /** Hits in the window after this check (this one included when allowed). */
  readonly count: number;
  /** The oldest hit still in the window, or undefined when there is none. */
  readonly oldestMs: number | undefined;
  readonly nowMs: number;
}

/** The one translation of a window's state into headers' terms, shared by every limiter. */
export function decisionFrom(state: WindowState, rule: RateLimitRule): RateLimitDecision {
  const windowMs = rule.windowSeconds * 1000;
  const slotFreesAtMs = (state.oldestMs ?? state.nowMs) + windowMs;
  return {
    allowed: state.allowed,
    limit: rule.limit,
    remaining: Math.max(0, rule.limit - state.count),
    resetAt: Math.ceil(slotFreesAtMs / 1000),
    retryAfterSeconds: state.allowed ? 0 : Math.max(1, Math.ceil((slotFreesAtMs - state.nowMs) / 1000)),
  };
}
