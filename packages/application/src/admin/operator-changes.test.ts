import { describe, expect, it } from "vitest";
import {
  caught,
  FakeCache,
  FakeClock,
  FakeOpaqueTokens,
  FakePasswordHasher,
  FakeSessionRevocations,
  InMemoryDatabase,
  PASSWORD_POLICY,
  requestContext,
} from "../testing/index.js";
import { makeRevokeUserSessions } from "./revoke-user-sessions.js";
import { makeSetUserPassword } from "./set-user-password.js";
import type { AdminActor } from "./user-administration.js";

const NEW_PASSWORD = "Quartz-Harbour-Meadow-41";

function setup() {
  const clock = new FakeClock();
  const db = new InMemoryDatabase(clock);
  const revocations = new FakeSessionRevocations();
  const deps = { uow: db.uow, clock, cache: new FakeCache(clock), revocations };
  const adminUser = db.seedUser({ username: "admin" }, ["admin"]);
  const root = db.seedUser({ username: "root" }, ["super_admin"]);
  const target = db.seedUser({ username: "target", email: "target@example.com" });
  db.seedRefreshToken({ userId: target.id, tokenHash: FakeOpaqueTokens.hashOf("target-laptop") });
  const admin: AdminActor = { id: adminUser.id, access: { roles: ["admin"], permissions: ["users:write"] } };
  const operator: AdminActor = { id: null, access: { roles: ["super_admin"], permissions: [] } };
  const setUserPassword = makeSetUserPassword({
    ...deps,
    users: db.users,
    hasher: new FakePasswordHasher(),
    passwordPolicy: PASSWORD_POLICY,
  });
  return {
    db,
    revocations,
    admin,
    operator,
    root,
    target,
    setUserPassword,
    revoke: makeRevokeUserSessions(deps),
    ctx: requestContext(clock),
  };
}

describe("setUserPassword (gatehouse users reset-password)", () => {
  it("stores the new hash, ends every session and audits the operator with no user id, never the password", async () => {
    const s = setup();
    await s.setUserPassword(s.operator, s.target.id, NEW_PASSWORD, s.ctx);
    expect(s.db.allUsers().find((user) => user.id === s.target.id)?.passwordHash).toBe(
      FakePasswordHasher.hashOf(NEW_PASSWORD),
    );
    expect(s.db.activeTokensOfFamily(s.db.allRefreshTokens()[0]?.familyId ?? "")).toHaveLength(0);
    expect(s.revocations.revokedSids()).toHaveLength(1);
    const [entry] = s.db.auditEntries();
    expect(entry).toMatchObject({
      action: "user.password_set",
      userId: null,
      resourceId: s.target.id,
      details: { sessions_revoked: 1 },
    });
    expect(JSON.stringify(s.db.auditEntries())).not.toContain(NEW_PASSWORD);
  });

  it("refuses a password built on the username, and an admin taking over a super_admin (account takeover)", async () => {
    const s = setup();
    expect(await caught(() => s.setUserPassword(s.operator, s.target.id, "target-Fjord-2024", s.ctx))).toMatchObject({
      code: "VALIDATION_ERROR",
    });
    expect(await caught(() => s.setUserPassword(s.admin, s.root.id, NEW_PASSWORD, s.ctx))).toMatchObject({
      code: "SUPER_ADMIN_REQUIRED",
    });
    expect(s.db.allUsers().find((user) => user.id === s.root.id)?.passwordHash).not.toBe(
      FakePasswordHasher.hashOf(NEW_PASSWORD),
    );
  });
});

describe("revokeUserSessions (gatehouse sessions revoke --user)", () => {
  it("ends every session of the user, leaves the account alone and audits the count", async () => {
    const s = setup();
    expect(await s.revoke(s.operator, s.target.id, s.ctx)).toEqual({ sessionsRevoked: 1 });
    expect(s.db.activeTokensOfFamily(s.db.allRefreshTokens()[0]?.familyId ?? "")).toHaveLength(0);
    expect(s.revocations.revokedSids()).toHaveLength(1);
    expect(s.db.allUsers().find((user) => user.id === s.target.id)?.status).toBe("active");
    expect(s.db.auditEntries()).toEqual([
      expect.objectContaining({ action: "user.sessions_revoke", userId: null, details: { sessions_revoked: 1 } }),
    ]);
  });

  it("refuses an admin ending a super_admin's sessions and audits the refusal", async () => {
    const s = setup();
    expect(await caught(() => s.revoke(s.admin, s.root.id, s.ctx))).toMatchObject({ code: "SUPER_ADMIN_REQUIRED" });
    expect(s.db.auditEntries()).toEqual([
      expect.objectContaining({ action: "user.sessions_revoke", status: "failure" }),
    ]);
  });
});
