import {
  type Clock,
  type PasswordHasher,
  type PasswordPolicy,
  type RequestContext,
  SystemRoles,
  type UnitOfWork,
  type User,
} from "@gatehouse/domain";
import { userRoleDetails } from "../rbac/assign-user-roles.js";
import { type NewAccountInput, newActiveUser, validateNewAccount } from "../registration/new-account.js";
import { audit } from "../shared/audit-entry-for.js";

export interface CreateSuperAdminDeps {
  readonly uow: UnitOfWork;
  readonly hasher: PasswordHasher;
  readonly clock: Clock;
  readonly passwordPolicy: PasswordPolicy;
}

export type CreateSuperAdminResult =
  | { readonly created: true; readonly user: User }
  | { readonly created: false; readonly reason: "super_admin_exists" };

/**
 * Creates an active super_admin (the `gatehouse admin create` CLI and the BOOTSTRAP_ADMIN_*
 * start-up path), under the registration rules. With `onlyIfNone` it does nothing when a live
 * super_admin exists: the super_admin role row is locked from that check to the insert, so of
 * several instances starting at once exactly one creates the account. Audited as `user.create`
 * and `role.assign` with no actor (the operator, not a user, asked).
 */
export function makeCreateSuperAdmin(deps: CreateSuperAdminDeps) {
  return async function createSuperAdmin(
    input: NewAccountInput,
    options: { readonly onlyIfNone: boolean },
    ctx: RequestContext,
  ): Promise<CreateSuperAdminResult> {
    const { email } = await validateNewAccount(input, deps.passwordPolicy);
    const passwordHash = await deps.hasher.hash(input.password);
    return deps.uow.run(async (tx) => {
      const role = await tx.roles.lockByName(SystemRoles.superAdmin);
      if (role === undefined) throw new Error("the super_admin role is missing: are the migrations applied?");
      if (options.onlyIfNone && (await tx.roles.countHolders(role.id)) > 0) {
        return { created: false, reason: "super_admin_exists" } as const;
      }
      const user = await tx.users.create(newActiveUser(input, email, passwordHash), [SystemRoles.superAdmin]);
      const target = { userId: null, resourceType: "user", resourceId: user.id } as const;
      await audit(tx, deps, ctx, { action: "user.create", ...target });
      await audit(tx, deps, ctx, {
        action: "role.assign",
        ...target,
        resourceType: "user_role",
        details: userRoleDetails(role),
      });
      return { created: true, user } as const;
    });
  };
}

export type CreateSuperAdmin = ReturnType<typeof makeCreateSuperAdmin>;
