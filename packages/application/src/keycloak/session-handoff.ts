import type { KeycloakTokenSet } from "@gatehouse/domain";

/**
 * Carries the Keycloak session a password-grant sign-in opened from the password check to the
 * transaction that opens the Gatehouse session (the first refresh token of a new family), so the
 * login use case never names Keycloak. A sign-in that opens no session (a second factor is due,
 * the account is blocked, a later step failed) leaves its entry untaken: after `ttlMs` it is
 * handed to `onUntaken`, which logs that Keycloak session out.
 */
export interface KeycloakSessionHandoff {
  hold(userId: string, tokens: KeycloakTokenSet): void;
  /** The oldest held session of the user, once. */
  take(userId: string): KeycloakTokenSet | undefined;
}

export function makeKeycloakSessionHandoff(options: {
  readonly onUntaken: (tokens: KeycloakTokenSet) => void;
  readonly ttlMs?: number;
}): KeycloakSessionHandoff {
  const ttlMs = options.ttlMs ?? 30_000;
  const held = new Map<string, KeycloakTokenSet[]>();
  const drop = (userId: string, tokens: KeycloakTokenSet): boolean => {
    const list = held.get(userId);
    const at = list?.indexOf(tokens) ?? -1;
    if (list === undefined || at < 0) return false;
    list.splice(at, 1);
    if (list.length === 0) held.delete(userId);
    return true;
  };
  return {
    hold(userId, tokens) {
      held.set(userId, [...(held.get(userId) ?? []), tokens]);
      // unref: a held entry never keeps a process alive that is shutting down.
      setTimeout(() => {
        if (drop(userId, tokens)) options.onUntaken(tokens);
      }, ttlMs).unref();
    },
    take(userId) {
      const tokens = held.get(userId)?.[0];
      if (tokens !== undefined) drop(userId, tokens);
      return tokens;
    },
  };
}
