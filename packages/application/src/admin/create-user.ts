import {
  type AccountStatus,
  type Clock,
  checkEmail,
  checkUsername,
  type FieldIssue,
  normalizeEmail,
  type PasswordHasher,
  type PasswordPolicy,
  type RequestContext,
  SystemRoles,
  UNUSABLE_PASSWORD_HASH,
  type UnitOfWork,
  type UserRepository,
  type UserWithRoles,
  validationError,
} from "@gatehouse/domain";
import { type AdminActor, assertMayGrant, grantOfRoles } from "../rbac/privilege.js";
import { audit } from "../shared/audit-entry-for.js";
import { checkNewPassword } from "../shared/new-password.js";
import { type ProfileFields, profileFieldIssues, trimmedOrNull } from "../shared/profile-fields.js";
import { auditingRefusals } from "../shared/refusals.js";

/** The states an administrator may create an account in. */
export const CreatableStatuses = ["active", "pending_verification", "pending_approval"] as const;

export interface CreateUserInput extends ProfileFields {
  readonly username: string;
  readonly email: string;
  /** Omitted: the account has no usable password until its owner resets it. */
  readonly password?: string;
  /** Role names; default `user`. */
  readonly roles?: readonly string[];
  readonly status?: (typeof CreatableStatuses)[number];
}

export interface CreateUserDeps {
  readonly uow: UnitOfWork;
  readonly users: Pick<UserRepository, "rolesNamed">;
  readonly hasher: PasswordHasher;
  readonly clock: Clock;
  readonly passwordPolicy: PasswordPolicy;
}

async function issuesOf(input: CreateUserInput, email: string, policy: PasswordPolicy): Promise<FieldIssue[]> {
  return [
    checkUsername(input.username),
    checkEmail(email),
    input.password === undefined
      ? undefined
      : await checkNewPassword(input.password, policy, { email, username: input.username }),
    ...profileFieldIssues(input),
  ].filter((issue): issue is FieldIssue => issue !== undefined);
}

/**
 * An administrator creates an account (README, Admin API), validated like a registration. Without a
 * password the account stores an unusable hash: nobody can sign in to it until its owner sets
 * a password through password reset. The roles must exist and may not grant more than the
 * administrator holds.
 */
export function makeCreateUser(deps: CreateUserDeps) {
  async function createUser(actor: AdminActor, input: CreateUserInput, ctx: RequestContext): Promise<UserWithRoles> {
    const email = normalizeEmail(input.email);
    const roleNames = [...new Set(input.roles ?? [SystemRoles.user])];
    const issues = await issuesOf(input, email, deps.passwordPolicy);
    const roles = await deps.users.rolesNamed(roleNames);
    const unknown = roleNames.filter((name) => !roles.some((role) => role.name === name));
    if (unknown.length > 0) issues.push({ field: "roles", message: `unknown role: ${unknown.join(", ")}` });
    if (issues.length > 0) throw validationError(issues);
    assertMayGrant(actor, grantOfRoles(roles));

    const passwordHash = input.password === undefined ? UNUSABLE_PASSWORD_HASH : await deps.hasher.hash(input.password);
    const status: AccountStatus = input.status ?? "active";
    return deps.uow.run(async (tx) => {
      const user = await tx.users.create(
        {
          username: input.username,
          email,
          passwordHash,
          fullName: trimmedOrNull(input.fullName) ?? null,
          phoneNumber: trimmedOrNull(input.phoneNumber) ?? null,
          organization: trimmedOrNull(input.organization) ?? null,
          department: trimmedOrNull(input.department) ?? null,
          status,
          emailVerifiedAt: null,
        },
        roleNames,
      );
      await audit(tx, deps, ctx, {
        action: "user.create",
        userId: actor.id,
        resourceId: user.id,
        details: { roles: roleNames, status, password_set: input.password !== undefined },
      });
      return { user, roles };
    });
  }
  return (actor: AdminActor, input: CreateUserInput, ctx: RequestContext) =>
    auditingRefusals(deps, ctx, { action: "user.create", userId: actor.id, resourceId: null }, () =>
      createUser(actor, input, ctx),
    );
}

export type CreateUser = ReturnType<typeof makeCreateUser>;
