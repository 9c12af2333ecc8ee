import {
  type AccountStatus,
  type Clock,
  DomainError,
  isDomainError,
  type OneTimeSecrets,
  type PasswordHasher,
  type PasswordPolicy,
  type RequestContext,
  SystemRoles,
  type TransactionalRepositories,
  type UnitOfWork,
  type User,
} from "@gatehouse/domain";
import { audit } from "../shared/audit-entry-for.js";
import { HOUR_MS, type LifecyclePolicy } from "../shared/lifecycle-policy.js";
import { sendCode } from "../shared/one-time-codes.js";
import { queueThrottledMail } from "../shared/throttled-mail.js";
import { type NewAccountInput, validateNewAccount } from "./new-account.js";

export type RegisterUserInput = NewAccountInput;

/** What registration reports: the user as created, and until when its verification code is valid. */
export interface Registration {
  readonly user: Pick<User, "id" | "username" | "email" | "fullName" | "phoneNumber" | "status" | "createdAt">;
  readonly verificationExpiresAt: Date | null;
}

export interface RegisterUserDeps {
  readonly uow: UnitOfWork;
  readonly hasher: PasswordHasher;
  readonly clock: Clock;
  readonly passwordPolicy: PasswordPolicy;
  readonly secrets: OneTimeSecrets;
  readonly policy: LifecyclePolicy;
  /** A fresh UUID for the answer to a registration that created nothing (enumeration protection). */
  readonly newId: () => string;
  /**
   * With an identity backend that holds accounts of its own (IDENTITY_BACKEND=keycloak): whether
   * an account Gatehouse did not create holds the email. Such an address is taken, as if a local
   * account held it, instead of registering a user whose account the sync could never create.
   * Asked on every registration, held or not, so it costs the same round trip either way.
   * @throws DomainError IDENTITY_BACKEND_UNAVAILABLE when the backend cannot answer: the
   * registration is refused with nothing written.
   */
  readonly emailHeldElsewhere?: (email: string) => Promise<boolean>;
}

function initialStatus(policy: LifecyclePolicy): AccountStatus {
  if (policy.requireEmailVerification) return "pending_verification";
  return policy.requireAdminApproval ? "pending_approval" : "active";
}

/**
 * Self-registration. Validates every field at once and hashes the password before anything
 * else (so every path costs one hash). With verification on, the user starts in
 * `pending_verification` and a verify-email mail with a code and a link is queued in the same
 * transaction. An expired, never-verified registration holding the email or username is
 * replaced (README, Account lifecycle). With enumeration protection, a taken email answers exactly like
 * a new registration and the owner is mailed instead; the username is judged before the email, so a
 * taken username is the same 409 DUPLICATE_USERNAME whether or not the email has an account (whose
 * owner is still mailed). An email an identity backend's foreign account holds is taken the same
 * way (`emailHeldElsewhere`); nobody is mailed, since no local owner exists.
 */
export function makeRegisterUser(deps: RegisterUserDeps) {
  const { policy } = deps;

  async function create(
    tx: TransactionalRepositories,
    input: RegisterUserInput,
    email: string,
    passwordHash: string,
    ctx: RequestContext,
    heldElsewhere: boolean,
  ) {
    const now = deps.clock.now();
    const replaced = await tx.users.deleteExpiredRegistrations(
      { email, username: input.username },
      new Date(now.getTime() - policy.verificationTtlHours * HOUR_MS),
      now,
    );
    for (const id of replaced) {
      await audit(tx, deps, ctx, {
        action: "user.registration_expired",
        userId: null,
        resourceId: id,
        details: { reason: "replaced by a new registration" },
      });
    }
    if (policy.enumerationProtection) {
      if (await tx.users.usernameTaken(input.username)) {
        throw new DomainError("DUPLICATE_USERNAME", "Username is already taken");
      }
      if ((await tx.users.findByEmail(email)) !== undefined) {
        throw new DomainError("DUPLICATE_EMAIL", "Email is already registered");
      }
    }
    if (heldElsewhere) throw new DomainError("DUPLICATE_EMAIL", "Email is already registered");
    const user = await tx.users.create(
      {
        username: input.username,
        email,
        passwordHash,
        fullName: input.fullName?.trim() ?? null,
        phoneNumber: input.phoneNumber?.trim() ?? null,
        status: initialStatus(policy),
        emailVerifiedAt: null,
      },
      [SystemRoles.user],
    );
    let verificationExpiresAt: Date | null = null;
    if (user.status === "pending_verification") {
      const issued = await sendCode(
        tx,
        { ...deps, publicBaseUrl: policy.publicBaseUrl },
        {
          userId: user.id,
          username: user.username,
          purpose: "verify_email",
          email,
          ttlMs: policy.verificationTtlHours * HOUR_MS,
        },
      );
      // A dropped mail (the address's throttle) still answers like a sent one.
      verificationExpiresAt =
        issued?.expiresAt ?? new Date(deps.clock.now().getTime() + policy.verificationTtlHours * HOUR_MS);
    }
    return { user, verificationExpiresAt };
  }

  /** The owner of a taken address hears about the attempt (through the address's mail throttle). */
  function mailOwner(email: string, ctx: RequestContext): Promise<void> {
    return deps.uow.run(async (tx) => {
      const owner = await tx.users.findByEmail(email);
      if (owner === undefined) return;
      await queueThrottledMail(tx, deps, policy.resendLimits, {
        to: owner.email,
        template: "registration-attempt",
        data: { username: owner.username },
      });
      await audit(tx, deps, ctx, { action: "auth.register_existing_email", userId: null, resourceId: owner.id });
    });
  }

  /** The caller of a taken address gets what a new registration would have got. */
  function answerForTakenEmail(input: RegisterUserInput, email: string): Registration {
    const now = deps.clock.now();
    return {
      user: {
        id: deps.newId(),
        username: input.username,
        email,
        fullName: input.fullName?.trim() ?? null,
        phoneNumber: input.phoneNumber?.trim() ?? null,
        status: initialStatus(policy),
        createdAt: now,
      },
      verificationExpiresAt: policy.requireEmailVerification
        ? new Date(now.getTime() + policy.verificationTtlHours * HOUR_MS)
        : null,
    };
  }

  return async function registerUser(input: RegisterUserInput, ctx: RequestContext): Promise<Registration> {
    const { email } = await validateNewAccount(input, deps.passwordPolicy);

    const passwordHash = await deps.hasher.hash(input.password);
    // Asked before the transaction: no database connection waits on the backend's answer.
    const heldElsewhere = (await deps.emailHeldElsewhere?.(email)) ?? false;
    try {
      return await deps.uow.run(async (tx) => {
        const registration = await create(tx, input, email, passwordHash, ctx, heldElsewhere);
        await audit(tx, deps, ctx, {
          action: "auth.register",
          userId: registration.user.id,
          details: { status: registration.user.status },
        });
        return registration;
      });
    } catch (error) {
      if (!policy.enumerationProtection || !isDomainError(error)) throw error;
      if (error.code !== "DUPLICATE_EMAIL" && error.code !== "DUPLICATE_USERNAME") throw error;
      // Whichever the answer, an attempt on a taken address mails its owner, never the caller.
      await mailOwner(email, ctx);
      if (error.code === "DUPLICATE_USERNAME") throw error;
      return answerForTakenEmail(input, email);
    }
  };
}

export type RegisterUser = ReturnType<typeof makeRegisterUser>;
