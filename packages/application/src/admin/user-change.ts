import {
  type AuditAction,
  type Clock,
  DomainError,
  type RequestContext,
  type TransactionalRepositories,
  type UnitOfWork,
  type User,
  type UserChanges,
} from "@gatehouse/domain";
import { type AfterUserChangeDeps, afterUserChange } from "../shared/after-user-change.js";
import { audit } from "../shared/audit-entry-for.js";
import { auditingRefusals } from "../shared/refusals.js";
import { type AdminActor, assertMayManage, assertNotDeleted, lockTarget, written } from "./user-administration.js";

/** What every administrative change to a user needs: one transaction, then `afterUserChange`. */
export interface AdminChangeDeps extends AfterUserChangeDeps {
  readonly uow: UnitOfWork;
  readonly clock: Clock;
}

/** What one administrative change does, given the locked row; everything else is the skeleton's. */
export interface AdminChange {
  /** The audited action, of the change and of a refusal for rank. */
  readonly action: AuditAction;
  /** `deleted`: the change applies to soft-deleted users only (restore); default: live users only. */
  readonly targets?: "live" | "deleted";
  /** Checks before the lock that need no row (input, acting on oneself); a throw is audited like any refusal. */
  readonly precheck?: () => void;
  /** Checks on the locked row beyond the common ones (exists, live or deleted, rank); throws to refuse. */
  readonly guard?: (target: User) => void;
  /** The write; undefined writes and audits nothing (the change changes nothing). */
  readonly changes: (target: User, now: Date) => UserChanges | undefined;
  /**
   * Work beside the row write in the same unit of work (the mails of a pending email change); runs
   * even when `changes` writes nothing. Returns details for the audit entry, undefined when it did nothing.
   */
  readonly alongside?: (
    tx: TransactionalRepositories,
    target: User,
    now: Date,
  ) => Promise<Record<string, unknown> | undefined>;
  /** Whether the written change ends every session of the user. */
  readonly endsSessions: (before: User, after: User) => boolean;
  /** The audited action of a success, when it depends on the change; default `action`. */
  readonly auditedAs?: (before: User, after: User) => AuditAction;
  /** The audit entry's details. */
  readonly details: (before: User, after: User, sessionsRevoked: number) => Record<string, unknown>;
}

/**
 * The skeleton of every administrative change to a user row: lock the row → common guards
 * (exists, live or deleted as the change wants, only a super_admin manages a super_admin) →
 * the change's guard → update → revoke the sessions it ends → audit, all in one unit of work;
 * after the commit, `afterUserChange`. A refusal for rank is audited in a unit of work of its own.
 */
export function runAdminChange(
  deps: AdminChangeDeps,
  change: AdminChange,
  actor: AdminActor,
  userId: string,
  ctx: RequestContext,
): Promise<User> {
  return auditingRefusals(deps, ctx, { action: change.action, userId: actor.id, resourceId: userId }, async () => {
    change.precheck?.();
    const now = deps.clock.now();
    const { user, endedSessions } = await deps.uow.run(async (tx) => {
      const target = await lockTarget(tx, userId);
      if (change.targets !== "deleted") assertNotDeleted(target);
      else if (target.user.deletedAt === null) throw new DomainError("USER_NOT_DELETED", "User is not deleted");
      assertMayManage(actor, target);
      change.guard?.(target.user);
      const changes = change.changes(target.user, now);
      const besides = await change.alongside?.(tx, target.user, now);
      if (changes === undefined && besides === undefined) return { user: target.user, endedSessions: [] };
      const user = changes === undefined ? target.user : written(await tx.users.update(userId, changes, now));
      const endsSessions = change.endsSessions(target.user, user);
      const endedSessions = endsSessions ? await tx.refreshTokens.revokeAllForUser(userId, "admin", now) : [];
      if (endsSessions) await tx.deviceTokens.revokeAllForUser(userId, now);
      await audit(tx, deps, ctx, {
        action: change.auditedAs?.(target.user, user) ?? change.action,
        userId: actor.id,
        resourceId: userId,
        details: { ...change.details(target.user, user, endedSessions.length), ...besides },
      });
      return { user, endedSessions };
    });
    await afterUserChange(deps, userId, endedSessions);
    return user;
  });
}
