import { makeRevokeUserSessions, makeSetUserPassword } from "@gatehouse/application";
import { type Config, createLogger } from "@gatehouse/infrastructure";
import { type Adapters, openAdapters } from "./adapters.js";
import { wireAdmin } from "./admin.js";
import { wireRbac } from "./rbac.js";
import { openServingAdapters } from "./serving-adapters.js";
import { resolveServerSecret } from "./token-keys.js";
import { policiesFrom, type Wiring } from "./wiring.js";

/**
 * What the `gatehouse` admin commands call: the API's own admin and role use cases, wired by the
 * same functions as the server (so the same checks and audit rows), plus the two operator-only
 * ones (set a password, end a user's sessions). Redis, when configured, is the server's: a
 * revocation or cache drop made here reaches every running node.
 */
export interface OperatorWiring {
  readonly admin: ReturnType<typeof wireAdmin>;
  readonly rbac: ReturnType<typeof wireRbac>;
  readonly setUserPassword: ReturnType<typeof makeSetUserPassword>;
  readonly revokeUserSessions: ReturnType<typeof makeRevokeUserSessions>;
  readonly repositories: Adapters["repositories"];
  close(): Promise<void>;
}

export async function openOperatorWiring(config: Config): Promise<OperatorWiring> {
  // The operator's first command may precede the first server start: always migrate.
  const adapters = await openAdapters({ ...config, autoMigrate: true });
  try {
    // Silent: a command's stdout is its result (JSON lines, tables), never log lines.
    const logger = createLogger({ level: "silent", pretty: false });
    const serving = await openServingAdapters(config, logger, adapters, resolveServerSecret(config));
    const w: Wiring = { ...adapters, ...serving, config, policies: policiesFrom(config) };
    const change = { uow: w.uow, clock: w.clock, cache: w.cache, revocations: w.revocations };
    return {
      admin: wireAdmin(w),
      rbac: wireRbac(w),
      setUserPassword: makeSetUserPassword({
        ...change,
        users: w.repositories.users,
        hasher: w.hasher,
        passwordPolicy: w.policies.password,
      }),
      revokeUserSessions: makeRevokeUserSessions(change),
      repositories: adapters.repositories,
      async close() {
        await serving.close();
        await adapters.close();
      },
    };
  } catch (error) {
    await adapters.close();
    throw error;
  }
}
