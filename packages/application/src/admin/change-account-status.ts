import {
  type AccountStatus,
  type AuditAction,
  assertTransition,
  type Clock,
  DomainError,
  type RequestContext,
  type UnitOfWork,
  type User,
} from "@gatehouse/domain";
import { auditEntryFor } from "../shared/audit-entry-for.js";
import {
  type AdminActor,
  type AfterChangeDeps,
  applyAfterCommit,
  assertMayManage,
  assertNotDeleted,
  auditingRefusals,
  changesBetween,
  lockTarget,
} from "./user-administration.js";

export interface ChangeAccountStatusDeps extends AfterChangeDeps {
  readonly uow: UnitOfWork;
  readonly clock: Clock;
}

/** One administrative lifecycle step: which states it leaves, where it goes, how it is audited. */
export interface StatusChange {
  readonly action: AuditAction;
  readonly from: readonly AccountStatus[];
  readonly to: AccountStatus;
  /** Ends every session of the user (the step takes the right to sign in away). */
  readonly endsSessions: boolean;
}

/**
 * Moves a user along seed 004's state machine under a row lock, audits it in the same
 * transaction, then revokes the user's sessions (when the step says so) and drops the
 * user's cached permissions, so the change applies on the user's next request.
 */
export function changeAccountStatus(
  deps: ChangeAccountStatusDeps,
  step: StatusChange,
  actor: AdminActor,
  userId: string,
  ctx: RequestContext,
  reason: string | null = null,
): Promise<User> {
  return auditingRefusals(deps, ctx, { action: step.action, actor, userId }, () =>
    applyStatusChange(deps, step, actor, userId, ctx, reason),
  );
}

async function applyStatusChange(
  deps: ChangeAccountStatusDeps,
  step: StatusChange,
  actor: AdminActor,
  userId: string,
  ctx: RequestContext,
  reason: string | null,
): Promise<User> {
  const now = deps.clock.now();
  const { user, endedSessions } = await deps.uow.run(async (tx) => {
    const target = await lockTarget(tx, userId);
    assertNotDeleted(target);
    assertMayManage(actor, target);
    const from = target.user.status;
    if (!step.from.includes(from)) {
      throw new DomainError("INVALID_STATUS_TRANSITION", `Cannot ${step.action.slice(5)} a user who is ${from}`, {
        from,
        to: step.to,
      });
    }
    assertTransition(from, step.to);
    const user = await tx.users.update(userId, { status: step.to, statusReason: reason, statusChangedAt: now });
    const endedSessions = step.endsSessions ? await tx.refreshTokens.revokeAllForUser(userId, "admin", now) : [];
    await tx.auditLog.append(
      auditEntryFor(deps.clock, ctx, {
        action: step.action,
        userId: actor.id,
        resourceId: userId,
        details: {
          changes: changesBetween(target.user, user, ["status", "statusReason"]),
          ...(step.endsSessions ? { sessions_revoked: endedSessions.length } : {}),
        },
      }),
    );
    return { user, endedSessions };
  });
  await applyAfterCommit(deps, userId, endedSessions);
  return user;
}
