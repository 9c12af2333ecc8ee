import type { KeycloakReconciliation } from "@gatehouse/application";
import {
  loadConfig,
  makeKeycloakAdapters,
  makeKeycloakSyncQueue,
  makeSecretBox,
  resolveKeycloakSyncKey,
} from "@gatehouse/infrastructure";
import { openAdapters } from "../wiring/adapters.js";
import { keycloakReconcileFor } from "../wiring/keycloak-reconcile.js";
import { keycloakSyncFor } from "../wiring/keycloak-sync.js";
import { type CliCommand, table, UsageError } from "./command.js";

/** Whether the comparison found what cron should hear of: foreign accounts are reported only. */
const outOfStep = (found: KeycloakReconciliation) => found.missing.length > 0 || found.orphaned.length > 0;

function reconciliationText(found: KeycloakReconciliation, fixed: boolean): string {
  const lines = [
    `Keycloak reconciliation: ${found.missing.length} missing in Keycloak, ${found.orphaned.length} orphaned ` +
      `in Keycloak, ${found.foreign.length} foreign (reported only, never changed)`,
  ];
  const fixColumn = fixed ? ["FIX"] : [];
  if (found.missing.length > 0) {
    lines.push(
      "",
      "missing in Keycloak:",
      table(
        ["USER", "EMAIL", "DEAD KEYCLOAK ID", ...fixColumn],
        found.missing.map((row) => [row.userId, row.email, row.keycloakId ?? "-", ...(fixed ? [row.fix ?? "-"] : [])]),
      ),
    );
  }
  if (found.orphaned.length > 0) {
    lines.push(
      "",
      "orphaned in Keycloak (their Gatehouse user is gone):",
      table(
        ["KEYCLOAK ID", "USERNAME", "GATEHOUSE ID", ...fixColumn],
        found.orphaned.map((row) => [
          row.keycloakId,
          row.username,
          row.gatehouseId,
          ...(fixed ? [row.fix ?? "-"] : []),
        ]),
      ),
    );
  }
  if (found.foreign.length > 0) {
    lines.push(
      "",
      "foreign (not created by Gatehouse, holding a user's email):",
      table(
        ["KEYCLOAK ID", "USERNAME", "EMAIL", "USER"],
        found.foreign.map((row) => [row.keycloakId, row.username, row.email, row.userId]),
      ),
    );
  }
  const queued = found.missing.filter((row) => row.fix === "queued").length;
  if (queued > 0) {
    lines.push("", `${queued} account(s) queued: a new Keycloak account has no password until its user resets it`);
  }
  if (found.missing.some((row) => row.fix === "blocked")) {
    lines.push("blocked: another Keycloak account holds the email; fix that account in Keycloak first");
  }
  return lines.join("\n");
}

/**
 * `gatehouse keycloak sync`: one run of the Keycloak sync now (what the server and the worker do
 * on their own), for an operator who changed users from the CLI with no server running, or
 * wants to see the outbox drained after an outage. Reports what it applied and what is left.
 * `--report` compares the two user lists and changes nothing (exit 1 when an account is missing
 * or orphaned, for cron); `--fix` queues and deletes what converges them, then syncs.
 */
export const keycloakSync: CliCommand = {
  name: "keycloak sync",
  summary:
    "Apply the queued Keycloak sync operations now (IDENTITY_BACKEND=keycloak) and report what is left; " +
    "--report / --fix compare the users with Keycloak's accounts",
  declare: (command) =>
    command
      .option(
        "--report",
        "compare the local users with Keycloak's accounts and change nothing (exit 1 when out of step)",
      )
      .option("--fix", "queue the missing accounts and delete the orphaned ones, then apply the outbox"),
  async run({ options, out }) {
    const report = options.report === true;
    const fix = options.fix === true;
    if (report && fix) throw new UsageError("keycloak sync takes --report or --fix, not both");
    const config = loadConfig();
    const keycloak = config.identity.keycloak;
    if (config.identity.backend !== "keycloak" || keycloak === undefined) {
      throw new UsageError("keycloak sync needs IDENTITY_BACKEND=keycloak");
    }
    const adapters = await openAdapters({ ...config, autoMigrate: true });
    try {
      const keycloakAdapters = makeKeycloakAdapters(keycloak);
      const box = makeSecretBox(
        [{ id: "k1", key: resolveKeycloakSyncKey(keycloak.syncKey, config.dataDir) }],
        "keycloak-sync",
      );
      const queue = makeKeycloakSyncQueue(adapters.database.db, box);
      let found: KeycloakReconciliation | undefined;
      if (report || fix) {
        const reconcile = keycloakReconcileFor(
          keycloak,
          config.dataDir,
          adapters.database,
          adapters.clock,
          keycloakAdapters.directory,
        );
        found = await reconcile({ fix });
      }
      if (report && found !== undefined) {
        const result = { ...found, queued: await queue.queued() };
        out.result(result, () =>
          [
            reconciliationText(found, false),
            ...(result.queued > 0
              ? [`${result.queued} sync operation(s) still queued: they may settle some of these`]
              : []),
          ].join("\n"),
        );
        if (outOfStep(found)) process.exitCode = 1;
        return;
      }
      const sync = keycloakSyncFor(config, adapters.database, adapters.clock, keycloakAdapters);
      const summary = sync === undefined ? { synced: 0, retried: 0, failed: 0 } : await sync();
      const result = { ...(found ?? {}), ...summary, queued: await queue.queued() };
      const syncLine =
        `Keycloak sync: ${result.synced} applied, ${result.retried} to retry, ${result.failed} given up ` +
        `(see the audit log, keycloak.sync_failed); ${result.queued} still queued`;
      out.result(result, () => (found === undefined ? syncLine : `${reconciliationText(found, true)}\n${syncLine}`));
      // A missing account the fix could not queue is still out of step: cron hears of it.
      if (found?.missing.some((row) => row.fix === "blocked")) process.exitCode = 1;
    } finally {
      await adapters.close();
    }
  },
};
