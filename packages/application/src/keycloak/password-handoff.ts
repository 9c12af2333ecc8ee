import type { PasswordHasher } from "@gatehouse/domain";

/**
 * Carries a new password from the hasher to the user write that stores its hash, within one
 * request, so the Keycloak sync can queue it (sealed) without every use case that sets a
 * password naming Keycloak. Entries are taken by the write; one that no write takes (the request
 * failed after hashing) is dropped after `ttlMs`, and at most `max` are held.
 */
export interface PasswordHandoff {
  /** The password whose hash this is, once: a second take answers undefined. */
  take(hash: string): string | undefined;
}

export function handingOffHasher<H extends PasswordHasher>(
  hasher: H,
  options: { readonly ttlMs?: number; readonly max?: number } = {},
): { readonly hasher: H; readonly handoff: PasswordHandoff } {
  const ttlMs = options.ttlMs ?? 120_000;
  const max = options.max ?? 10_000;
  const held = new Map<string, { readonly password: string; readonly until: number }>();
  const sweep = (now: number) => {
    for (const [hash, entry] of held) {
      if (entry.until > now && held.size < max) break;
      held.delete(hash);
    }
  };
  const wrapped = Object.create(hasher) as H;
  Object.assign(wrapped, {
    async hash(password: string): Promise<string> {
      const hash = await hasher.hash(password);
      const now = Date.now();
      sweep(now);
      held.set(hash, { password, until: now + ttlMs });
      return hash;
    },
  });
  return {
    hasher: wrapped,
    handoff: {
      take(hash) {
        const entry = held.get(hash);
        held.delete(hash);
        return entry === undefined || entry.until < Date.now() ? undefined : entry.password;
      },
    },
  };
}
