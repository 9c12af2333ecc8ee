import type { Clock, PasswordHasher, RequestContext, TransactionalRepositories, User } from "@gatehouse/domain";
import { audit } from "../shared/audit-entry-for.js";

export interface PasswordUpgradeDeps {
  readonly hasher: Pick<PasswordHasher, "hash" | "needsRehash" | "formatOf">;
  readonly clock: Clock;
}

/** What a proven-password path runs inside its own unit of work: a no-op when nothing is due. */
export type PasswordUpgrade = (tx: Pick<TransactionalRepositories, "users" | "auditLog">) => Promise<void>;

const nothingDue: PasswordUpgrade = async () => {};

/**
 * After `password` was proven against `user.passwordHash`: when that hash is in an imported
 * format (bcrypt, scrypt, PBKDF2, Firebase scrypt) or argon2 weaker than the current parameters,
 * hashes the password anew now, outside any transaction (argon2 must not run under a row lock),
 * and answers the step that stores it and audits `password.rehashed` in the caller's unit of
 * work. The write only replaces the hash it proved, so a password changed meanwhile wins. A
 * hash that cannot run now (the queue is full) is left for the next sign-in: the password was
 * proven, and refusing the sign-in for want of an upgrade would punish its owner.
 */
export async function preparePasswordUpgrade(
  deps: PasswordUpgradeDeps,
  ctx: RequestContext,
  user: Pick<User, "id" | "passwordHash">,
  password: string,
): Promise<PasswordUpgrade> {
  const proven = user.passwordHash;
  if (!deps.hasher.needsRehash(proven)) return nothingDue;
  let next: string;
  try {
    next = await deps.hasher.hash(password);
  } catch {
    return nothingDue;
  }
  return async (tx) => {
    const now = deps.clock.now();
    if (!(await tx.users.upgradePasswordHash(user.id, proven, next, now))) return;
    await audit(tx, deps, ctx, {
      action: "password.rehashed",
      userId: user.id,
      details: { from: deps.hasher.formatOf(proven) ?? "unknown", to: deps.hasher.formatOf(next) ?? "unknown" },
    });
  };
}
