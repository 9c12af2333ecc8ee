import { DomainError } from "@gatehouse/domain";
import { describe, expect, it } from "vitest";
import { makeConfirmEmailChange } from "../account/confirm-email-change.js";
import { CacheKeys } from "../shared/cache-keys.js";
import {
  caught,
  FakeCache,
  FakeClock,
  FakeOneTimeSecrets,
  FakeOpaqueTokens,
  FakePasswordHasher,
  FakeSessionRevocations,
  InMemoryDatabase,
  LIFECYCLE_POLICY,
  PASSWORD_POLICY,
  requestContext,
} from "../testing/index.js";
import { makeApproveUser } from "./approve-user.js";
import { makeCreateUser } from "./create-user.js";
import { makeDeleteUser } from "./delete-user.js";
import { makeReactivateUser } from "./reactivate-user.js";
import { makeRestoreUser } from "./restore-user.js";
import { makeSuspendUser } from "./suspend-user.js";
import { makeUpdateUser } from "./update-user.js";
import type { AdminActor } from "./user-administration.js";

function setup() {
  const clock = new FakeClock();
  const db = new InMemoryDatabase(clock);
  const cache = new FakeCache(clock);
  const revocations = new FakeSessionRevocations();
  const secrets = new FakeOneTimeSecrets();
  const deps = { uow: db.uow, clock, cache, revocations, secrets, policy: LIFECYCLE_POLICY };
  const adminUser = db.seedUser({ username: "admin" }, ["admin"]);
  const root = db.seedUser({ username: "root" }, ["super_admin"]);
  const target = db.seedUser({ username: "target", email: "target@example.com" });
  const session = db.seedRefreshToken({ userId: target.id, tokenHash: FakeOpaqueTokens.hashOf("target-laptop") });
  const admin: AdminActor = { id: adminUser.id, access: { roles: ["admin"], permissions: ["users:write"] } };
  const rootActor: AdminActor = { id: root.id, access: { roles: ["super_admin"], permissions: [] } };
  return {
    clock,
    db,
    cache,
    revocations,
    deps,
    secrets,
    admin,
    root,
    rootActor,
    target,
    session,
    ctx: requestContext(clock),
  };
}

describe("administrative changes to a user", () => {
  it("a failed audit write rolls the change back and leaves the cache and sessions alone", async () => {
    const { db, deps, admin, target, cache, revocations, ctx } = setup();
    db.failNext("auditLog.append");
    await expect(makeSuspendUser(deps)(admin, target.id, "abuse", ctx)).rejects.toThrow(/injected/);
    expect(db.allUsers().find((user) => user.id === target.id)?.status).toBe("active");
    expect(db.auditEntries()).toEqual([]);
    expect(db.activeTokensOfFamily(db.allRefreshTokens()[0]?.familyId ?? "")).toHaveLength(1);
    expect(cache.deleted).toEqual([]);
    expect(revocations.revokedSids()).toEqual([]);
  });

  it("suspension revokes the sessions and drops the user's permission and profile cache entries", async () => {
    const { deps, admin, target, cache, revocations, session, ctx, db } = setup();
    await makeSuspendUser(deps)(admin, target.id, "abuse", ctx);
    expect(revocations.revokedSids()).toEqual([session.familyId]);
    expect(cache.deleted).toEqual(
      expect.arrayContaining([CacheKeys.permissions(target.id), CacheKeys.user(target.id)]),
    );
    expect(db.auditEntries()[0]).toMatchObject({ action: "user.suspend", userId: admin.id, resourceId: target.id });
  });

  it("an admin cannot suspend, update or delete a super_admin", async () => {
    const { deps, admin, root, ctx, db } = setup();
    for (const attempt of [
      () => makeSuspendUser(deps)(admin, root.id, "nope", ctx),
      () => makeUpdateUser(deps)(admin, root.id, { fullName: "Owned" }, ctx),
      () => makeDeleteUser(deps)(admin, root.id, ctx),
    ]) {
      const error = await caught(attempt);
      expect(error).toBeInstanceOf(DomainError);
      expect((error as DomainError).code).toBe("SUPER_ADMIN_REQUIRED");
    }
    // Each refused attempt is on record as a failure, the change itself is not.
    expect(db.auditEntries().map((entry) => [entry.action, entry.status, entry.resourceId])).toEqual([
      ["user.suspend", "failure", root.id],
      ["user.update", "failure", root.id],
      ["user.delete", "failure", root.id],
    ]);
    expect(db.allUsers().find((user) => user.id === root.id)).toMatchObject({ status: "active", fullName: null });
  });

  it("an update that changes nothing writes no audit entry", async () => {
    const { deps, admin, target, ctx, db } = setup();
    await makeUpdateUser(deps)(admin, target.id, { username: "target", isActive: true }, ctx);
    expect(db.auditEntries()).toEqual([]);
  });

  // Regression: restore ignored `purged_at` and brought back an anonymised, password-less account.
  it("a purged user cannot be restored", async () => {
    const { deps, admin, db, ctx, clock } = setup();
    const purged = db.seedUser({ deletedAt: clock.now(), purgedAt: clock.now(), passwordHash: "!purged" });
    expect(await caught(() => makeRestoreUser(deps)(admin, purged.id, ctx))).toMatchObject({
      code: "INVALID_STATUS_TRANSITION",
    });
    expect(db.allUsers().find((user) => user.id === purged.id)?.deletedAt).not.toBeNull();
    const deleted = db.seedUser({ deletedAt: clock.now() });
    expect((await makeRestoreUser(deps)(admin, deleted.id, ctx)).user.deletedAt).toBeNull();
  });

  // Regression, "one rule, two answers": creating a user with roles above the creator's rank
  // answered SUPER_ADMIN_REQUIRED / INSUFFICIENT_PERMISSIONS, the roles route PRIVILEGE_ESCALATION.
  it("one rule, two answers: user creation refuses a grant above the actor's rank as PRIVILEGE_ESCALATION", async () => {
    const { db, admin, ctx, clock } = setup();
    const createUser = makeCreateUser({
      uow: db.uow,
      users: db.users,
      hasher: new FakePasswordHasher(),
      clock,
      passwordPolicy: PASSWORD_POLICY,
    });
    const input = (roles: string[]) => ({ username: `new_${roles[0]}`, email: `${roles[0]}@example.com`, roles });
    expect(await caught(() => createUser(admin, input(["super_admin"]), ctx))).toMatchObject({
      code: "PRIVILEGE_ESCALATION",
    });
    expect(await caught(() => createUser(admin, input(["admin"]), ctx))).toMatchObject({
      code: "PRIVILEGE_ESCALATION",
      details: { missing_permissions: ["audit:read", "roles:read", "users:delete", "users:import", "users:read"] },
    });
    expect(db.auditEntries().map((entry) => [entry.action, entry.status, entry.details?.refused])).toEqual([
      ["user.create", "failure", "PRIVILEGE_ESCALATION"],
      ["user.create", "failure", "PRIVILEGE_ESCALATION"],
    ]);
  });

  // The writer takes the instant from the use case (the database-clock regression itself is
  // pinned by the Drizzle adapter's test and the HTTP test of PUT /admin/users/{id}).
  it("an administrator's update stamps updated_at with the application's clock", async () => {
    const { deps, admin, target, ctx, clock } = setup();
    clock.advanceMs(60_000);
    const { user: updated } = await makeUpdateUser(deps)(admin, target.id, { department: "Ops" }, ctx);
    expect(updated.updatedAt).toEqual(clock.now());
  });

  // Attack: an admin set a user's email to an address they read, then ran forgot/reset with it
  // and signed in as the user. Without users:write_email the address only becomes pending.
  it("admin takeover by email: an admin-set email stays pending until the user confirms the code mailed to it", async () => {
    const { deps, db, admin, target, ctx, secrets } = setup();
    const result = await makeUpdateUser(deps)(admin, target.id, { email: "Attacker@Example.com" }, ctx);
    expect(result.pendingEmail).toBe("attacker@example.com");
    expect(result.user.email).toBe("target@example.com");
    expect(db.allUsers().find((user) => user.id === target.id)?.email).toBe("target@example.com");
    expect(db.queuedMail().map((mail) => [mail.to, mail.template])).toEqual([
      ["attacker@example.com", "verify-new-email"],
      ["target@example.com", "email-change-notice"],
    ]);
    expect(db.auditEntries().at(-1)).toMatchObject({
      action: "user.update",
      userId: admin.id,
      resourceId: target.id,
      details: { changes: {}, pending_email: "attacker@example.com" },
    });
    // The code confirms only from the user's own session (the admin holds the mailbox, not the session).
    const confirm = makeConfirmEmailChange({ ...deps, codes: db.oneTimeCodes, users: db.users });
    const code = secrets.issuedCodes.at(-1) ?? "";
    expect(await caught(() => confirm(admin.id ?? "", { code }, ctx))).toMatchObject({
      code: "INVALID_VERIFICATION_CODE",
    });
    const confirmed = await confirm(target.id, { code }, ctx);
    expect(confirmed.user.email).toBe("attacker@example.com");
  });

  it("an admin-set email that another account holds is 409 DUPLICATE_EMAIL and mails nothing", async () => {
    const { deps, db, admin, target, ctx } = setup();
    db.seedUser({ email: "taken@example.com" });
    expect(
      await caught(() => makeUpdateUser(deps)(admin, target.id, { email: "taken@example.com" }, ctx)),
    ).toMatchObject({ code: "DUPLICATE_EMAIL" });
    expect(db.queuedMail()).toEqual([]);
  });

  it("users:write_email (super_admin) sets the sign-in email at once, mailing no code", async () => {
    const { deps, db, rootActor, target, ctx } = setup();
    const explicit: AdminActor = {
      id: "ops",
      access: { roles: ["ops"], permissions: ["users:write", "users:write_email"] },
    };
    for (const [actor, email] of [
      [rootActor, "moved@example.com"],
      [explicit, "again@example.com"],
    ] as const) {
      const result = await makeUpdateUser(deps)(actor, target.id, { email }, ctx);
      expect([result.pendingEmail, result.user.email]).toEqual([null, email]);
    }
    expect(db.queuedMail()).toEqual([]);
  });

  // Attack: the privilege guard covered change, suspend and delete; the other status changes
  // (approve, reactivate, restore) must not let an admin act on a more privileged user either.
  it("approve, reactivate and restore refuse a target holding a permission the admin lacks", async () => {
    const { deps, db, admin, ctx, clock } = setup();
    const manager = db.seedUser({ status: "suspended" }, ["admin"]);
    const pending = db.seedUser({ status: "pending_approval" }, ["admin"]);
    const deleted = db.seedUser({ deletedAt: clock.now() }, ["admin"]);
    for (const attempt of [
      () => makeReactivateUser(deps)(admin, manager.id, ctx),
      () => makeApproveUser(deps)(admin, pending.id, ctx),
      () => makeRestoreUser(deps)(admin, deleted.id, ctx),
    ]) {
      expect(await caught(attempt)).toMatchObject({
        code: "PRIVILEGE_ESCALATION",
        details: { missing_permissions: ["audit:read", "roles:read", "users:delete", "users:import", "users:read"] },
      });
    }
  });
});
