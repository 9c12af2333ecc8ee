import { randomUUID } from "node:crypto";
import { type CreateSuperAdminResult, makeCreateSuperAdmin } from "@gatehouse/application";
import type { RequestContext } from "@gatehouse/domain";
import {
  type Config,
  type DatabaseHandle,
  makeArgon2Hasher,
  makeUnitOfWork,
  systemClock,
} from "@gatehouse/infrastructure";
import { passwordPolicyFrom } from "./wiring/wiring.js";

/** The audit origin of accounts an operator creates outside HTTP (CLI, bootstrap). */
export function operatorContext(origin: "cli" | "bootstrap"): RequestContext {
  return {
    requestId: `${origin}-${randomUUID()}`,
    ipAddress: null,
    userAgent: `gatehouse ${origin}`,
    startedAt: new Date(),
  };
}

export interface AdminAccountInput {
  readonly email: string;
  readonly username: string;
  readonly password: string;
}

/**
 * Creates a super_admin on an open, migrated database, under the registration rules. With
 * `onlyIfNone` (the BOOTSTRAP_ADMIN_* path) it does nothing when one exists already.
 */
export async function createAdminAccount(
  config: Pick<Config, "passwordMinLength" | "passwordComposition" | "passwordBreachCheck" | "argon2MaxConcurrency">,
  database: DatabaseHandle,
  input: AdminAccountInput,
  options: { readonly onlyIfNone: boolean; readonly origin: "cli" | "bootstrap" },
): Promise<CreateSuperAdminResult> {
  const hasher = makeArgon2Hasher({ maxConcurrency: config.argon2MaxConcurrency });
  const createSuperAdmin = makeCreateSuperAdmin({
    uow: makeUnitOfWork(database.db),
    hasher,
    clock: systemClock,
    passwordPolicy: passwordPolicyFrom(config),
  });
  return createSuperAdmin(input, { onlyIfNone: options.onlyIfNone }, operatorContext(options.origin));
}
