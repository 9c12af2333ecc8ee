import {
  type Clock,
  type PasswordHasher,
  type PasswordPolicy,
  type RequestContext,
  SystemRoles,
  type UnitOfWork,
  type User,
} from "@gatehouse/domain";
import { auditEntryFor } from "./audit-entry-for.js";
import { type NewAccountInput, newActiveUser, validateNewAccount } from "./new-account.js";

export type RegisterUserInput = NewAccountInput;

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
    const { email } = validateNewAccount(input, deps.passwordPolicy);

    const passwordHash = await deps.hasher.hash(input.password);
    return deps.uow.run(async (tx) => {
      const user = await tx.users.create(newActiveUser(input, email, passwordHash), [SystemRoles.user]);
      await tx.auditLog.append(auditEntryFor(deps.clock, ctx, { action: "auth.register", userId: user.id }));
      return user;
    });
  };
}

export type RegisterUser = ReturnType<typeof makeRegisterUser>;
