import { DomainError, type KeycloakAccount, type KeycloakDirectory, type KeycloakSyncOutbox } from "@gatehouse/domain";
import { describe, expect, it } from "vitest";
import { FakeClock, InMemoryDatabase } from "../testing/index.js";
import { makeReconcileKeycloak } from "./reconcile-keycloak.js";

/** The realm in memory, with every page asked for and every account removed. */
function fakeRealm(accounts: KeycloakAccount[]) {
  const pages: Array<[number, number]> = [];
  const removed: string[] = [];
  let unavailable = false;
  const directory: Pick<KeycloakDirectory, "list" | "find" | "findByEmail" | "remove"> = {
    async list(first, max) {
      if (unavailable) throw new DomainError("IDENTITY_BACKEND_UNAVAILABLE");
      pages.push([first, max]);
      return accounts.slice(first, first + max);
    },
    find: async (id) => accounts.find((account) => account.id === id),
    findByEmail: async (email) => accounts.find((account) => account.email === email),
    async remove(id) {
      removed.push(id);
      accounts.splice(
        accounts.findIndex((account) => account.id === id),
        1,
      );
    },
  };
  return { directory, pages, removed, goDown: () => (unavailable = true) };
}

const account = (id: string, overrides: Partial<KeycloakAccount> = {}): KeycloakAccount => ({
  id,
  username: id,
  email: `${id}@example.com`,
  enabled: true,
  emailVerified: true,
  gatehouseId: null,
  ...overrides,
});

function setUp(accounts: KeycloakAccount[], pageSize = 2) {
  const clock = new FakeClock("2030-01-01T00:00:00Z");
  const db = new InMemoryDatabase(clock);
  const realm = fakeRealm(accounts);
  const pushes: string[] = [];
  const keycloakSync: KeycloakSyncOutbox = {
    async push(userId) {
      pushes.push(userId);
    },
    remove: async () => {},
    holdSession: async () => {},
    endSessions: async () => 0,
  };
  const local: string[] = [];
  const users = db.users;
  const reconcile = makeReconcileKeycloak({
    directory: realm.directory,
    users: {
      ...users,
      keycloakManaged: (after, limit) => {
        local.push(`${after ?? "start"}+${limit}`);
        return users.keycloakManaged(after, limit);
      },
    },
    uow: { run: (work) => db.uow.run((tx) => work({ ...tx, keycloakSync })) },
    clock,
    pageSize,
  });
  return { db, realm, pushes, local, reconcile };
}

/** A realm and rows with one of each situation, and users that are fine. */
function mixedSituation() {
  const accounts = [
    account("kc-fine", { gatehouseId: "user-fine" }),
    account("kc-orphan", { gatehouseId: "user-purged" }),
    account("kc-foreign", { email: "admin@example.com" }),
    account("kc-own-foreign", { email: "provisioned@example.com" }),
    account("kc-stranger", { email: "nobody-here@example.com" }),
  ];
  const set = setUp(accounts);
  const { db } = set;
  db.seedUser({ id: "user-fine", keycloakId: "kc-fine", keycloakSyncStatus: "synced" });
  db.seedUser({ id: "user-gone", keycloakId: "kc-deleted", keycloakSyncStatus: "failed" });
  db.seedUser({ id: "user-unlinked", keycloakId: null, keycloakSyncStatus: "synced" });
  db.seedUser({ id: "user-queued", keycloakId: "kc-deleted-too", keycloakSyncStatus: "pending" });
  db.seedUser({ id: "user-admin", email: "admin@example.com", keycloakSyncStatus: null });
  db.seedUser({
    id: "user-provisioned",
    email: "provisioned@example.com",
    keycloakId: "kc-own-foreign",
    keycloakSyncStatus: "synced",
  });
  return set;
}

describe("makeReconcileKeycloak", () => {
  it("reports missing, orphaned and foreign accounts, walking both sides page by page, and changes nothing", async () => {
    const { db, realm, pushes, local, reconcile } = mixedSituation();
    const report = await reconcile({ fix: false });
    expect(report.missing).toEqual([
      { userId: "user-gone", email: "user-gone@example.com", keycloakId: "kc-deleted" },
      { userId: "user-unlinked", email: "user-unlinked@example.com", keycloakId: null },
    ]);
    expect(report.orphaned).toEqual([
      { keycloakId: "kc-orphan", gatehouseId: "user-purged", username: "kc-orphan", email: "kc-orphan@example.com" },
    ]);
    expect(report.foreign).toEqual([
      { keycloakId: "kc-foreign", username: "kc-foreign", email: "admin@example.com", userId: "user-admin" },
    ]);
    // Five accounts and five managed rows (the admin is local-only), each in pages of two.
    expect(realm.pages).toEqual([
      [0, 2],
      [2, 2],
      [4, 2],
    ]);
    expect(local).toEqual(["start+2", "user-gone+2", "user-queued+2"]);
    expect(realm.removed).toEqual([]);
    expect(pushes).toEqual([]);
    expect(db.auditEntries()).toEqual([]);
    expect((await db.users.find("user-gone"))?.user.keycloakId).toBe("kc-deleted");
  });

  it("with fix: clears a dead link and queues a push, deletes an orphan, audits both, leaves foreign accounts", async () => {
    const { db, realm, pushes, reconcile } = mixedSituation();
    const report = await reconcile({ fix: true });
    expect(report.missing.map((found) => [found.userId, found.fix])).toEqual([
      ["user-gone", "queued"],
      ["user-unlinked", "queued"],
    ]);
    expect(report.orphaned.map((found) => [found.keycloakId, found.fix])).toEqual([["kc-orphan", "deleted"]]);
    expect(report.foreign.map((found) => found.keycloakId)).toEqual(["kc-foreign"]);
    expect(pushes).toEqual(["user-gone", "user-unlinked"]);
    expect((await db.users.find("user-gone"))?.user).toMatchObject({ keycloakId: null, keycloakSyncStatus: "pending" });
    expect(realm.removed).toEqual(["kc-orphan"]);
    expect(db.auditEntries().map((entry) => [entry.action, entry.resourceId, entry.details])).toEqual([
      ["keycloak.account_requeued", "user-gone", { previous_keycloak_id: "kc-deleted" }],
      ["keycloak.account_requeued", "user-unlinked", { previous_keycloak_id: null }],
      ["keycloak.orphan_removed", "kc-orphan", { gatehouse_id: "user-purged", username: "kc-orphan" }],
    ]);
    // Queued now: the outbox owns them, so a second comparison finds nothing left to fix.
    const again = await reconcile({ fix: false });
    expect(again).toEqual({ missing: [], orphaned: [], foreign: report.foreign });
  });

  it("does not queue a push another account's email would only get refused again", async () => {
    const { db, pushes, reconcile } = setUp([account("kc-holder", { email: "taken@example.com" })]);
    db.seedUser({ id: "user-taken", email: "taken@example.com", keycloakId: null, keycloakSyncStatus: "failed" });
    const report = await reconcile({ fix: true });
    expect(report.missing).toEqual([
      { userId: "user-taken", email: "taken@example.com", keycloakId: null, fix: "blocked" },
    ]);
    expect(report.foreign.map((found) => found.keycloakId)).toEqual(["kc-holder"]);
    expect(pushes).toEqual([]);
    expect(db.auditEntries()).toEqual([]);
    expect((await db.users.find("user-taken"))?.user.keycloakSyncStatus).toBe("failed");
  });

  it("queues a push for a dead link even when an account Gatehouse created for the user holds the email (the sync adopts it)", async () => {
    const { db, pushes, reconcile } = setUp([account("kc-new", { email: "u@example.com", gatehouseId: "user-u" })]);
    db.seedUser({ id: "user-u", email: "u@example.com", keycloakId: "kc-old", keycloakSyncStatus: "failed" });
    const report = await reconcile({ fix: true });
    expect(report).toEqual({
      missing: [{ userId: "user-u", email: "u@example.com", keycloakId: "kc-old", fix: "queued" }],
      orphaned: [],
      foreign: [],
    });
    expect(pushes).toEqual(["user-u"]);
  });

  it("leaves a row that changed since the comparison alone", async () => {
    const { db, pushes, reconcile } = setUp([]);
    db.seedUser({ id: "user-a", keycloakId: "kc-dead", keycloakSyncStatus: "failed" });
    const original = db.users.keycloakManaged;
    // The comparison reads the row; a user write queues a push before the fix runs.
    let reads = 0;
    db.users.keycloakManaged = async (after, limit) => {
      const page = await original(after, limit);
      reads += 1;
      if (reads === 1) db.updateUser("user-a", { keycloakSyncStatus: "pending" });
      return page;
    };
    const report = await reconcile({ fix: true });
    expect(report.missing).toEqual([{ userId: "user-a", email: "user-a@example.com", keycloakId: "kc-dead" }]);
    expect(pushes).toEqual([]);
    expect(db.auditEntries()).toEqual([]);
  });

  it("leaves an orphan alone whose user appeared (or whose account changed) since the walk judged it", async () => {
    const { db, realm, reconcile } = setUp([
      account("kc-late", { gatehouseId: "user-late" }),
      account("kc-swapped", { gatehouseId: "user-old" }),
    ]);
    const find = realm.directory.find;
    // After the walk: the first account's user is created, the second account is restamped.
    realm.directory.find = async (id) => {
      if (id === "kc-late") db.seedUser({ id: "user-late", keycloakId: "kc-late", keycloakSyncStatus: "synced" });
      const found = await find(id);
      return found === undefined || id !== "kc-swapped" ? found : { ...found, gatehouseId: "user-other" };
    };
    const report = await reconcile({ fix: true });
    expect(report.orphaned.map((found) => [found.keycloakId, found.fix])).toEqual([
      ["kc-late", undefined],
      ["kc-swapped", undefined],
    ]);
    expect(realm.removed).toEqual([]);
    expect(db.auditEntries()).toEqual([]);
  });

  it("Keycloak unavailable fails the run with IDENTITY_BACKEND_UNAVAILABLE and fixes nothing", async () => {
    const { db, realm, pushes, reconcile } = mixedSituation();
    realm.goDown();
    await expect(reconcile({ fix: true })).rejects.toMatchObject({ code: "IDENTITY_BACKEND_UNAVAILABLE" });
    expect(pushes).toEqual([]);
    expect(realm.removed).toEqual([]);
    expect(db.auditEntries()).toEqual([]);
  });
});
