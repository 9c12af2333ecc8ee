import {
  type Clock,
  DomainError,
  type RequestContext,
  type UnitOfWork,
  UserChanges,
  type UserRepository,
  type UserWithRoles,
  validationError,
} from "@gatehouse/domain";
import { type AfterUserChangeDeps, afterUserChange } from "../shared/after-user-change.js";
import { audit } from "../shared/audit-entry-for.js";
import { CODE_SHAPE, type CodeCheckDeps, checkPresentedCode } from "../shared/one-time-codes.js";

export type ConfirmEmailChangeInput = { readonly code: string } | { readonly token: string };

export interface ConfirmEmailChangeDeps extends CodeCheckDeps, AfterUserChangeDeps {
  readonly users: Pick<UserRepository, "find">;
  readonly uow: UnitOfWork;
  readonly clock: Clock;
}

const invalidCode = (details?: unknown) =>
  new DomainError("INVALID_VERIFICATION_CODE", "Invalid or unknown verification code", details);

/**
 * The second half of an email change: the code sent to the new address (typed, or its link)
 * makes that address the login email. A code issued to another user is unknown here.
 */
export function makeConfirmEmailChange(deps: ConfirmEmailChangeDeps) {
  return async function confirmEmailChange(
    userId: string,
    input: ConfirmEmailChangeInput,
    ctx: RequestContext,
  ): Promise<UserWithRoles> {
    if ("code" in input && !CODE_SHAPE.test(input.code)) {
      throw validationError([{ field: "code", message: "must be 6 digits" }]);
    }
    const check = await checkPresentedCode(
      deps,
      "change_email",
      "token" in input ? input : { code: input.code, userId },
    );
    if (check.outcome === "expired" && check.code.userId === userId) {
      throw new DomainError("VERIFICATION_EXPIRED", "The code has expired; change the email again to get a new one");
    }
    if (check.outcome !== "match" || check.code.userId !== userId) {
      throw invalidCode(check.outcome === "burned" ? { reason: "attempts_exhausted" } : undefined);
    }
    const now = deps.clock.now();
    const newEmail = check.code.email;
    await deps.uow.run(async (tx) => {
      if (!(await tx.oneTimeCodes.consume(check.code.id, now))) throw invalidCode();
      if (
        (await tx.users.update(userId, UserChanges.verifiedEmail(newEmail, now), now, { deleted: false })) === undefined
      ) {
        throw new DomainError("UNAUTHORIZED", "Account no longer exists");
      }
      await audit(tx, deps, ctx, { action: "user.email_changed", userId });
    });
    await afterUserChange(deps, userId);
    const account = await deps.users.find(userId);
    if (account === undefined) throw new DomainError("UNAUTHORIZED", "Account no longer exists");
    return account;
  };
}

export type ConfirmEmailChange = ReturnType<typeof makeConfirmEmailChange>;
