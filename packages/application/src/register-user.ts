import {
  type Clock,
  checkEmail,
  checkPassword,
  checkUsername,
  type FieldIssue,
  normalizeEmail,
  type PasswordHasher,
  type PasswordPolicy,
  type RequestContext,
  SystemRoles,
  type UnitOfWork,
  type User,
  validationError,
} from "@gatehouse/domain";
import { auditEntryFor } from "./audit-entry-for.js";
import { profileFieldIssues } from "./profile-fields.js";

export interface RegisterUserInput {
  readonly username: string;
  readonly email: string;
  readonly password: string;
  readonly fullName?: string | null;
  readonly phoneNumber?: string | null;
}

export interface RegisterUserDeps {
  readonly uow: UnitOfWork;
  readonly hasher: PasswordHasher;
  readonly clock: Clock;
  readonly passwordPolicy: PasswordPolicy;
}

/**
 * Self-registration: validates every field at once, hashes the password, and creates an
 * active user with the `user` role, audited in the same transaction. A concurrent
 * registration of the same email or username loses with DUPLICATE_EMAIL / DUPLICATE_USERNAME.
 */
export function makeRegisterUser(deps: RegisterUserDeps) {
  return async function registerUser(input: RegisterUserInput, ctx: RequestContext): Promise<User> {
    const email = normalizeEmail(input.email);
    const issues = [
      checkUsername(input.username),
      checkEmail(email),
      checkPassword(input.password, deps.passwordPolicy),
      ...profileFieldIssues(input),
    ].filter((issue): issue is FieldIssue => issue !== undefined);
    if (issues.length > 0) throw validationError(issues);

    const passwordHash = await deps.hasher.hash(input.password);
    return deps.uow.run(async (tx) => {
      const user = await tx.users.create(
        {
          username: input.username,
          email,
          passwordHash,
          fullName: input.fullName?.trim() ?? null,
          phoneNumber: input.phoneNumber?.trim() ?? null,
          status: "active",
          emailVerifiedAt: null,
        },
        [SystemRoles.user],
      );
      await tx.auditLog.append(auditEntryFor(deps.clock, ctx, { action: "auth.register", userId: user.id }));
      return user;
    });
  };
}

export type RegisterUser = ReturnType<typeof makeRegisterUser>;
