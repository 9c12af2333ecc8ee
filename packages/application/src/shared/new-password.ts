import {
  type AuditAction,
  type Clock,
  type DomainError,
  type RequestContext,
  type RevocationReason,
  type TransactionalRepositories,
  type User,
  UserChanges,
} from "@gatehouse/domain";
import { audit } from "./audit-entry-for.js";

/** One password change (by its owner, or through recovery) as the shared tail writes it. */
export interface NewPassword {
  readonly user: User;
  readonly passwordHash: string;
  readonly action: AuditAction;
  /** Why the ended sessions were revoked; undefined: no session ends. */
  readonly revokeAs: RevocationReason | undefined;
  /** The session kept when the others end (the request's own). */
  readonly keepFamilyId?: string;
  /** The audit details key counting the ended sessions. */
  readonly countedAs: "sessions_revoked" | "other_sessions_ended";
  /** The error when the user is gone meanwhile. */
  readonly gone: () => DomainError;
}

/**
 * The common tail of changing and resetting a password, inside the caller's unit of work:
 * store the hash, end the sessions, queue the "password changed" mail and audit it. Returns the
 * ended sessions for `afterUserChange` after the commit.
 */
export async function storeNewPassword(
  tx: TransactionalRepositories,
  deps: { readonly clock: Clock },
  ctx: RequestContext,
  change: NewPassword,
  now: Date,
): Promise<string[]> {
  const { user } = change;
  const stored = await tx.users.update(user.id, UserChanges.password(change.passwordHash, now), now, {
    deleted: false,
  });
  if (stored === undefined) throw change.gone();
  const ended =
    change.revokeAs === undefined
      ? []
      : await tx.refreshTokens.revokeAllForUser(user.id, change.revokeAs, now, change.keepFamilyId);
  await tx.outbox.enqueue({ to: stored.email, template: "password-changed", data: { username: stored.username } });
  await audit(tx, deps, ctx, {
    action: change.action,
    userId: user.id,
    details: { [change.countedAs]: ended.length },
  });
  return ended;
}
