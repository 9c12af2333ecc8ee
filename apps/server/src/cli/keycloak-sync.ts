import {
  loadConfig,
  makeKeycloakAdapters,
  makeKeycloakSyncQueue,
  makeSecretBox,
  resolveKeycloakSyncKey,
} from "@gatehouse/infrastructure";
import { openAdapters } from "../wiring/adapters.js";
import { keycloakSyncFor } from "../wiring/keycloak-sync.js";
import { type CliCommand, UsageError } from "./command.js";

/**
 * `gatehouse keycloak sync`: one run of the Keycloak sync now (what the server and the worker do
 * on their own), for an operator who changed users from the CLI with no server running, or
 * wants to see the outbox drained after an outage. Reports what it applied and what is left.
 */
export const keycloakSync: CliCommand = {
  name: "keycloak sync",
  summary: "Apply the queued Keycloak sync operations now (IDENTITY_BACKEND=keycloak) and report what is left",
  async run({ out }) {
    const config = loadConfig();
    const keycloak = config.identity.keycloak;
    if (config.identity.backend !== "keycloak" || keycloak === undefined) {
      throw new UsageError("keycloak sync needs IDENTITY_BACKEND=keycloak");
    }
    const adapters = await openAdapters({ ...config, autoMigrate: true });
    try {
      const sync = keycloakSyncFor(config, adapters.database, adapters.clock, makeKeycloakAdapters(keycloak));
      const summary = sync === undefined ? { synced: 0, retried: 0, failed: 0 } : await sync();
      const box = makeSecretBox(
        [{ id: "k1", key: resolveKeycloakSyncKey(keycloak.syncKey, config.dataDir) }],
        "keycloak-sync",
      );
      const queued = await makeKeycloakSyncQueue(adapters.database.db, box).queued();
      const result = { ...summary, queued };
      out.result(
        result,
        () =>
          `Keycloak sync: ${result.synced} applied, ${result.retried} to retry, ${result.failed} given up ` +
          `(see the audit log, keycloak.sync_failed); ${result.queued} still queued`,
      );
    } finally {
      await adapters.close();
    }
  },
};
