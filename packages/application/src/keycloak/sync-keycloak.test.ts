import {
  type ClaimedKeycloakSync,
  DomainError,
  type KeycloakAccount,
  type KeycloakDirectory,
  type KeycloakSyncQueue,
  type User,
} from "@gatehouse/domain";
import { describe, expect, it } from "vitest";
import { makeSyncKeycloak } from "./sync-keycloak.js";

const T0 = new Date("2030-01-01T00:00:00Z");

function userRow(id: string, overrides: Partial<User> = {}): User {
  return {
    id,
    username: `u_${id}`,
    email: `${id}@example.com`,
    passwordHash: "hash",
    fullName: "Ada Lovelace",
    phoneNumber: null,
    organization: null,
    department: null,
    status: "active",
    statusReason: null,
    statusChangedAt: T0,
    emailVerifiedAt: T0,
    passwordChangedAt: T0,
    createdAt: T0,
    updatedAt: T0,
    deletedAt: null,
    deletedBy: null,
    purgedAt: null,
    keycloakId: null,
    keycloakSyncStatus: "pending",
    ...overrides,
  };
}

/** The queue's contract in memory: enough to watch what the sync decides for each claim. */
function fakeQueue(claims: ClaimedKeycloakSync[]) {
  const outcomes: Array<[string, string, string?]> = [];
  const queue: KeycloakSyncQueue = {
    async claimDue(_now, limit) {
      return claims.splice(0, limit);
    },
    async complete(claim) {
      outcomes.push([claim.id, "complete"]);
    },
    async scheduleRetry(claim, retryAt, error) {
      outcomes.push([claim.id, `retry@${(retryAt.getTime() - T0.getTime()) / 1000}s`, error]);
    },
    async giveUp(claim, error) {
      outcomes.push([claim.id, "give up", error]);
    },
    async queued() {
      return claims.length;
    },
  };
  return { queue, outcomes };
}

function fakeDirectory(overrides: Partial<KeycloakDirectory> = {}) {
  const calls: string[] = [];
  const directory: KeycloakDirectory = {
    async findByEmail() {
      calls.push("findByEmail");
      return undefined;
    },
    async findByGatehouseId() {
      calls.push("findByGatehouseId");
      return undefined;
    },
    async find() {
      return undefined;
    },
    async list() {
      return [];
    },
    async create(state, password) {
      calls.push(`create ${state.username} enabled=${state.enabled} password=${password ?? "none"}`);
      return `kc-${state.gatehouseId}`;
    },
    async update(id, state) {
      calls.push(`update ${id} enabled=${state.enabled}`);
    },
    async remove(id) {
      calls.push(`remove ${id}`);
    },
    async logOutEverywhere(id) {
      calls.push(`logout ${id}`);
    },
    async setPassword(id) {
      calls.push(`password ${id}`);
    },
    ...overrides,
  };
  return { directory, calls };
}

function syncWith(rows: Map<string, User>, queue: KeycloakSyncQueue, directory: KeycloakDirectory) {
  const audited: unknown[] = [];
  const sync = makeSyncKeycloak({
    queue,
    directory,
    signIn: { endSession: async () => {} },
    users: {
      async find(id) {
        const user = rows.get(id);
        return user === undefined ? undefined : { user, roles: [] };
      },
      async update(id, changes) {
        const user = rows.get(id);
        if (user === undefined) return undefined;
        const next = { ...user, ...changes };
        rows.set(id, next);
        return next;
      },
    },
    uow: {
      run: (work) =>
        work({
          auditLog: {
            append: async (entry) => void audited.push(entry),
            list: async () => ({ items: [], totalItems: 0 }),
            dailyCounts: async () => [],
          },
        }),
    },
    clock: { now: () => T0 },
    policy: { batchSize: 10, maxAttempts: 3, retryBaseSeconds: 1, retryMaxSeconds: 300, leaseSeconds: 60 },
  });
  return { sync, audited };
}

const push = (id: string, attempt = 1, password: string | null = null): ClaimedKeycloakSync => ({
  id: `op-${id}`,
  operation: "push",
  userId: id,
  keycloakId: null,
  attempt,
  password,
});

describe("syncKeycloak", () => {
  it("creates an unlinked user's account with its password, links it, writes its state", async () => {
    const rows = new Map([["a", userRow("a", { status: "pending_verification", emailVerifiedAt: null })]]);
    const { queue, outcomes } = fakeQueue([push("a", 1, "pw-a")]);
    const { directory, calls } = fakeDirectory();
    const { sync } = syncWith(rows, queue, directory);
    expect(await sync()).toEqual({ synced: 1, retried: 0, failed: 0 });
    expect(calls).toEqual([
      "findByEmail",
      "findByGatehouseId",
      "create u_a enabled=false password=pw-a",
      "update kc-a enabled=false",
      "password kc-a",
    ]);
    expect(rows.get("a")?.keycloakId).toBe("kc-a");
    expect(outcomes).toEqual([["op-a", "complete"]]);
  });

  it("stops at the first outage: that claim and the rest of the batch retry with backoff, none completes", async () => {
    const rows = new Map(["a", "b", "c"].map((id) => [id, userRow(id, { keycloakId: `kc-${id}` })] as const));
    const { queue, outcomes } = fakeQueue([push("a", 1), push("b", 3), push("c", 1)]);
    let calls = 0;
    const { directory } = fakeDirectory({
      async update() {
        calls += 1;
        throw new DomainError("IDENTITY_BACKEND_UNAVAILABLE");
      },
    });
    const { sync } = syncWith(rows, queue, directory);
    expect(await sync()).toEqual({ synced: 0, retried: 3, failed: 0 });
    expect(calls).toBe(1);
    expect(outcomes.map(([id, what]) => [id, what])).toEqual([
      ["op-a", "retry@1s"],
      ["op-b", "retry@4s"],
      ["op-c", "retry@1s"],
    ]);
  });

  it("reports a foreign account holding the email (failed, audited) and never writes to it", async () => {
    const rows = new Map([["a", userRow("a")]]);
    const { queue, outcomes } = fakeQueue([push("a")]);
    const foreign: KeycloakAccount = {
      id: "kc-foreign",
      username: "someone",
      email: "a@example.com",
      enabled: true,
      emailVerified: true,
      gatehouseId: null,
    };
    const { directory, calls } = fakeDirectory({ findByEmail: async () => foreign });
    const { sync, audited } = syncWith(rows, queue, directory);
    expect(await sync()).toEqual({ synced: 0, retried: 0, failed: 1 });
    expect(calls).toEqual([]);
    expect(outcomes).toEqual([["op-a", "give up", "a Keycloak account Gatehouse did not create holds the email"]]);
    expect(audited).toEqual([
      expect.objectContaining({ action: "keycloak.sync_failed", resourceId: "a", status: "failure" }),
    ]);
  });

  it("gives up on an unexpected failure after maxAttempts, retrying it before", async () => {
    const rows = new Map(["a", "b"].map((id) => [id, userRow(id, { keycloakId: `kc-${id}` })] as const));
    const { queue, outcomes } = fakeQueue([push("a", 2), push("b", 3)]);
    const { directory } = fakeDirectory({
      async update() {
        throw new Error("user update answered 400");
      },
    });
    const { sync } = syncWith(rows, queue, directory);
    expect(await sync()).toEqual({ synced: 0, retried: 1, failed: 1 });
    expect(outcomes).toEqual([
      ["op-a", "retry@2s", "user update answered 400"],
      ["op-b", "give up", "user update answered 400"],
    ]);
  });

  it("a push for a row that is gone, or a delete, removes the account found by gatehouse_id; a disabled user is logged out", async () => {
    const rows = new Map([["s", userRow("s", { keycloakId: "kc-s", status: "suspended" })]]);
    const { queue } = fakeQueue([
      push("gone"),
      { id: "op-d", operation: "delete", userId: "d", keycloakId: null, attempt: 1, password: null },
      push("s"),
    ]);
    const { directory, calls } = fakeDirectory({
      findByGatehouseId: async (id) => ({
        id: `kc-${id}`,
        username: id,
        email: null,
        enabled: false,
        emailVerified: false,
        gatehouseId: id,
      }),
    });
    const { sync } = syncWith(rows, queue, directory);
    expect(await sync()).toEqual({ synced: 3, retried: 0, failed: 0 });
    expect(calls).toEqual(["remove kc-gone", "remove kc-d", "update kc-s enabled=false", "logout kc-s"]);
  });
});
