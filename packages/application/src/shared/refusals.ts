import {
  type AuditAction,
  type Clock,
  type ErrorCode,
  isDomainError,
  type RequestContext,
  type TransactionalRepositories,
  type UnitOfWork,
} from "@gatehouse/domain";
import { auditEntryFor } from "./audit-entry-for.js";

export interface RefusalDeps {
  /** Only the audit log: a refusal writes its one entry and nothing else. */
  readonly uow: UnitOfWork<Pick<TransactionalRepositories, "auditLog">>;
  readonly clock: Clock;
}

/** A refused attempt as the trail records it. */
export interface Refusal {
  readonly action: AuditAction;
  /** Who tried; null for an anonymous request. */
  readonly userId: string | null;
  /** What was acted on; defaults to the actor's own user row (see `auditEntryFor`). */
  readonly resourceType?: string;
  readonly resourceId?: string | null;
  readonly details: Record<string, unknown>;
}

/**
 * Writes a `failure` audit entry in a unit of work of its own: the refused request rolls back
 * (or never opened) its own, and the attempt must stay in the trail anyway.
 */
export async function recordRefusal(deps: RefusalDeps, ctx: RequestContext, refusal: Refusal): Promise<void> {
  const entry = auditEntryFor(deps.clock, ctx, { ...refusal, status: "failure" });
  await deps.uow.run((tx) => tx.auditLog.append(entry));
}

/** Refusals an administrator wants to see in the trail: attempts to reach above one's rank. */
const RANK_REFUSALS: ReadonlySet<ErrorCode> = new Set([
  "SUPER_ADMIN_REQUIRED",
  "CANNOT_DELETE_SELF",
  "PRIVILEGE_ESCALATION",
]);

/**
 * Runs an administrative change; when it is refused for the caller's rank, records the attempt
 * (`details`: `refused`, the code, and the error's own details) through `recordRefusal`, then rethrows.
 */
export async function auditingRefusals<T>(
  deps: RefusalDeps,
  ctx: RequestContext,
  attempt: Omit<Refusal, "details">,
  work: () => Promise<T>,
): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (isDomainError(error) && RANK_REFUSALS.has(error.code)) {
      const own = typeof error.details === "object" && error.details !== null ? error.details : {};
      await recordRefusal(deps, ctx, { ...attempt, details: { refused: error.code, ...own } });
    }
    throw error;
  }
}
