// Over 300 lines on purpose: one suite per port, so every adapter (PGlite, PostgreSQL, the fake)
// is held to the same cases; splitting it would let an adapter run half of them.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { UserRepository } from "../ports/user-repository.js";
import { UserChanges, type UserListQuery } from "../user/user.js";
import {
  type ContractHarness,
  type ContractOptions,
  caseFor,
  newUserInput as newUser,
  type OpenHarness,
} from "./harness.js";

const UNKNOWN_ID = "00000000-0000-4000-8000-000000000000";

/**
 * The `UserRepository` contract at the port: what every adapter (Drizzle on PGlite and
 * PostgreSQL, the in-memory fake) must do, with nothing but the ports. Races and SQL-level
 * checks stay with the Drizzle adapter's own tests.
 */
export function userRepositoryContract(name: string, open: OpenHarness, options: ContractOptions = {}): void {
  describe(`UserRepository contract on ${name}`, () => {
    let harness: ContractHarness;
    beforeAll(async () => {
      harness = await open();
    });
    afterAll(async () => {
      await harness.close();
    });
    const users = () => harness.repos.users;
    const itUses = (method: keyof UserRepository, title: string, body: () => Promise<void>) =>
      caseFor(options, users, method, title, body, [UNKNOWN_ID, {}]);
    const later = (ms = 60_000) => new Date(Date.now() + ms);

    it("creates a user with timestamps, roles and permissions; no roles is an empty list", async () => {
      const created = await users().create(newUser({ fullName: "Ada Lovelace" }), ["admin"]);
      expect(created).toMatchObject({ fullName: "Ada Lovelace", deletedAt: null, purgedAt: null });
      expect(created.createdAt).toBeInstanceOf(Date);
      const found = await users().find(created.id);
      expect(found?.roles.map((role) => role.name)).toEqual(["admin"]);
      expect(found?.roles[0]?.permissions).toEqual([
        "audit:read",
        "roles:read",
        "users:delete",
        "users:import",
        "users:read",
        "users:write",
      ]);
      const bare = await users().create(newUser(), []);
      expect((await users().find(bare.id))?.roles).toEqual([]);
    });

    it("stores the Keycloak link and finds a user by it, deleted or not", async () => {
      const created = await users().create(newUser({ keycloakSyncStatus: "pending" }), ["user"]);
      expect(created).toMatchObject({ keycloakId: null, keycloakSyncStatus: "pending" });
      const keycloakId = `kc-${created.id}`;
      await users().update(created.id, { keycloakId, keycloakSyncStatus: "synced" }, later(0));
      expect(await users().findByKeycloakId(keycloakId)).toMatchObject({
        id: created.id,
        keycloakSyncStatus: "synced",
      });
      await users().update(created.id, UserChanges.softDelete(null, later(0)), later(0));
      expect((await users().findByKeycloakId(keycloakId))?.id).toBe(created.id);
      expect(await users().findByKeycloakId("kc-nobody")).toBeUndefined();
      expect((await users().create(newUser(), [])).keycloakSyncStatus).toBeNull();
    });

    it("pages the users Keycloak manages in id order, soft-deleted too, local-only ones left out", async () => {
      const managed = await Promise.all(
        [1, 2, 3].map(() => users().create(newUser({ keycloakSyncStatus: "pending" }), [])),
      );
      const local = await users().create(newUser(), []);
      const [gone] = managed;
      if (gone === undefined) throw new Error("no user");
      await users().update(gone.id, UserChanges.softDelete(null, later(0)), later(0));
      const ids = managed.map((user) => user.id).sort();
      // Other cases share the database: walk every page and keep this case's rows.
      const seen: string[] = [];
      let after: string | null = null;
      for (;;) {
        const page = await users().keycloakManaged(after, 2);
        expect(page.length).toBeLessThanOrEqual(2);
        for (const user of page) expect(user.keycloakSyncStatus).not.toBeNull();
        seen.push(...page.map((user) => user.id));
        const last = page.at(-1);
        if (page.length < 2 || last === undefined) break;
        after = last.id;
      }
      expect([...seen].sort()).toEqual(seen);
      expect(seen.filter((id) => ids.includes(id))).toEqual(ids);
      expect(seen).not.toContain(local.id);
      const [first, second] = ids;
      expect((await users().keycloakManaged(first ?? null, 100)).map((user) => user.id)).not.toContain(first);
      expect((await users().keycloakManaged(first ?? null, 100)).map((user) => user.id)).toContain(second);
    });

    it("finds by normalized email and by id, and answers undefined for unknown ones", async () => {
      const created = await users().create(newUser({ email: "find.me@example.com" }), ["user"]);
      expect((await users().findByEmail("find.me@example.com"))?.id).toBe(created.id);
      expect((await users().find(created.id))?.user.email).toBe("find.me@example.com");
      expect(await users().findByEmail("nobody@example.com")).toBeUndefined();
      expect(await users().find(UNKNOWN_ID)).toBeUndefined();
      expect(await users().find(UNKNOWN_ID, { includeDeleted: true })).toBeUndefined();
    });

    it("tells whether a live user holds a username, case-insensitively", async () => {
      const actor = await users().create(newUser(), ["admin"]);
      const created = await users().create(newUser({ username: "Taken_Name" }), ["user"]);
      expect(await users().usernameTaken("tAKEN_nAME")).toBe(true);
      expect(await users().usernameTaken("free_name")).toBe(false);
      const at = later();
      await users().update(created.id, UserChanges.softDelete(actor.id, at), at);
      expect(await users().usernameTaken("taken_name")).toBe(false);
    });

    it("refuses a duplicate email and a duplicate username, case-insensitively", async () => {
      await users().create(newUser({ email: "dup@example.com", username: "Duplicate" }), ["user"]);
      await expect(users().create(newUser({ email: "DUP@example.com" }), ["user"])).rejects.toMatchObject({
        code: "DUPLICATE_EMAIL",
      });
      await expect(users().create(newUser({ username: "dUPLICATE" }), ["user"])).rejects.toMatchObject({
        code: "DUPLICATE_USERNAME",
      });
    });

    it("refuses an unknown role name and, in a unit of work, writes nothing", async () => {
      await expect(
        harness.uow.run((tx) => tx.users.create(newUser({ email: "norole@example.com" }), ["no_such_role"])),
      ).rejects.toThrow(/unknown role/);
      expect(await users().findByEmail("norole@example.com")).toBeUndefined();
    });

    it("rolls the whole unit of work back when it throws", async () => {
      const kept = await users().create(newUser(), ["user"]);
      await expect(
        harness.uow.run(async (tx) => {
          await tx.users.create(newUser({ email: "rollback@example.com" }), ["user"]);
          await tx.users.update(kept.id, { fullName: "Changed" }, later());
          throw new Error("boom");
        }),
      ).rejects.toThrow("boom");
      expect(await users().findByEmail("rollback@example.com")).toBeUndefined();
      expect((await users().find(kept.id))?.user.fullName).toBeNull();
    });

    it("writes only the given fields and stamps updated_at with the instant it is given", async () => {
      const created = await users().create(newUser({ fullName: "Keep Me" }), ["user"]);
      const at = later();
      const updated = await users().update(created.id, { organization: "ACME", department: "R&D" }, at);
      expect(updated).toMatchObject({ organization: "ACME", department: "R&D", fullName: "Keep Me", updatedAt: at });
      expect(await users().update(UNKNOWN_ID, { fullName: "x" }, at)).toBeUndefined();
    });

    it("refuses a username or email another live user holds, case-insensitively", async () => {
      const created = await users().create(newUser(), ["user"]);
      const other = await users().create(newUser(), ["user"]);
      await expect(
        users().update(created.id, { username: other.username.toUpperCase() }, later()),
      ).rejects.toMatchObject({ code: "DUPLICATE_USERNAME" });
      await expect(users().update(created.id, { email: other.email }, later())).rejects.toMatchObject({
        code: "DUPLICATE_EMAIL",
      });
      expect((await users().find(created.id))?.user.username).toBe(created.username);
    });

    it("moves a user's status with its reason and instant (status change)", async () => {
      const created = await users().create(newUser(), ["user"]);
      const at = later();
      const suspended = await users().update(created.id, UserChanges.status("suspended", "abuse", at), at);
      expect(suspended).toMatchObject({ status: "suspended", statusReason: "abuse", statusChangedAt: at });
      expect((await users().findByEmail(created.email))?.status).toBe("suspended");
    });

    it("soft delete hides the user from live reads, keeps it for administrators and frees its email and username", async () => {
      const actor = await users().create(newUser(), ["admin"]);
      const created = await users().create(newUser(), ["user"]);
      const at = later();
      const deleted = await users().update(created.id, UserChanges.softDelete(actor.id, at), at, { deleted: false });
      expect(deleted).toMatchObject({ deletedAt: at, deletedBy: actor.id });
      expect(await users().findByEmail(created.email)).toBeUndefined();
      expect(await users().find(created.id)).toBeUndefined();
      const seen = await users().find(created.id, { includeDeleted: true });
      expect(seen?.user).toMatchObject({ id: created.id, deletedAt: at, deletedBy: actor.id });
      expect(seen?.roles.map((role) => role.name)).toEqual(["user"]);
      // Deleting twice matches nothing.
      expect(await users().update(created.id, UserChanges.softDelete(actor.id, at), at, { deleted: false })).toBe(
        undefined,
      );
      const again = await users().create(newUser({ email: created.email, username: created.username }), ["user"]);
      expect(again.id).not.toBe(created.id);
      // A restore revives the old email and username: refused now that they are taken again.
      await expect(users().update(created.id, UserChanges.restore(), later())).rejects.toMatchObject({
        code: "DUPLICATE_EMAIL",
      });
    });

    it("writes nothing and answers undefined when the row does not match the expectation", async () => {
      const created = await users().create(newUser({ status: "pending_verification" }), ["user"]);
      const at = later();
      const verify = UserChanges.verifiedEmail(undefined, at, "active");
      expect(await users().update(created.id, verify, at, { status: "active" })).toBeUndefined();
      expect(await users().update(created.id, verify, at, { deleted: true })).toBeUndefined();
      expect((await users().find(created.id))?.user).toMatchObject({ status: "pending_verification" });
      const verified = await users().update(created.id, verify, at, { deleted: false, status: "pending_verification" });
      expect(verified).toMatchObject({ status: "active", emailVerifiedAt: at, statusChangedAt: at });
      expect(await users().update(created.id, verify, at, { status: "pending_verification" })).toBeUndefined();
    });

    it("stores a new password and a proven new email with their instants", async () => {
      const created = await users().create(newUser(), ["user"]);
      const at = later();
      expect(await users().update(created.id, UserChanges.password("new-hash", at), at)).toMatchObject({
        passwordHash: "new-hash",
        passwordChangedAt: at,
      });
      const email = `changed_${created.username}@example.com`;
      expect(await users().update(created.id, UserChanges.verifiedEmail(email, at), at)).toMatchObject({
        email,
        emailVerifiedAt: at,
      });
      expect((await users().findByEmail(email))?.id).toBe(created.id);
    });

    it("a reset code does not survive a new password or email: the writer revokes the codes the change makes unsafe, in the same unit of work", async () => {
      const codes = () => harness.repos.oneTimeCodes;
      const created = await users().create(newUser(), ["user"]);
      const issueAll = async (at: Date) => {
        for (const purpose of ["reset_password", "change_email", "verify_email"] as const) {
          await codes().issue(
            {
              userId: created.id,
              purpose,
              email: created.email,
              codeHash: `code-${purpose}-${at.getTime()}`,
              tokenHash: `token-${purpose}-${at.getTime()}`,
              expiresAt: new Date(at.getTime() + 3_600_000),
            },
            at,
          );
        }
      };
      const live = async () => {
        const purposes = ["reset_password", "change_email", "verify_email"] as const;
        const found = await Promise.all(purposes.map((purpose) => codes().findLatest(created.id, purpose)));
        return purposes.filter((_, i) => found[i] !== undefined);
      };
      const first = later(1_000);
      await issueAll(first);
      await users().update(created.id, { fullName: "Ada" }, first);
      expect(await live()).toEqual(["reset_password", "change_email", "verify_email"]);
      await harness.uow.run((tx) => tx.users.update(created.id, UserChanges.password("new-hash", first), first));
      expect(await live()).toEqual(["verify_email"]);
      const second = later(2_000);
      await issueAll(second);
      await harness.uow.run((tx) =>
        tx.users.update(created.id, UserChanges.verifiedEmail(`moved_${created.email}`, second), second),
      );
      expect(await live()).toEqual([]);
      const third = later(3_000);
      await issueAll(third);
      await harness.uow.run((tx) =>
        tx.users.update(created.id, UserChanges.status("suspended", "abuse", third), third),
      );
      expect(await live()).toEqual([]);
      // A write that throws revokes nothing: the revocation rolls back with it.
      const fourth = later(4_000);
      await issueAll(fourth);
      await expect(
        harness.uow.run(async (tx) => {
          await tx.users.update(created.id, UserChanges.password("other-hash", fourth), fourth);
          throw new Error("rolled back");
        }),
      ).rejects.toThrow("rolled back");
      expect(await live()).toEqual(["reset_password", "change_email", "verify_email"]);
    });

    itUses(
      "upgradePasswordHash",
      "re-hashes a proven password only over the hash it proved, ending no code and keeping passwordChangedAt (lost update on password change)",
      async () => {
        const created = await users().create(newUser(), ["user"]);
        const at = later(5_000);
        await harness.repos.oneTimeCodes.issue(
          {
            userId: created.id,
            purpose: "reset_password",
            email: created.email,
            codeHash: "code-upgrade",
            tokenHash: "token-upgrade",
            expiresAt: new Date(at.getTime() + 3_600_000),
          },
          at,
        );
        expect(await users().upgradePasswordHash(created.id, created.passwordHash, "upgraded", at)).toBe(true);
        const upgraded = (await users().find(created.id))?.user;
        expect(upgraded).toMatchObject({ passwordHash: "upgraded", passwordChangedAt: created.passwordChangedAt });
        expect(await harness.repos.oneTimeCodes.findLatest(created.id, "reset_password")).toBeDefined();
        // A password changed meanwhile is not overwritten by the stale re-hash.
        await users().update(created.id, UserChanges.password("changed", at), at);
        expect(await users().upgradePasswordHash(created.id, "upgraded", "stale", at)).toBe(false);
        expect((await users().find(created.id))?.user.passwordHash).toBe("changed");
        expect(await users().upgradePasswordHash(UNKNOWN_ID, "changed", "x", at)).toBe(false);
      },
    );

    it("reads a user locked in a unit of work, live only unless deleted users are asked for (locked reads)", async () => {
      const live = await users().create(newUser(), ["user"]);
      const gone = await users().create(newUser(), ["user"]);
      await users().update(gone.id, UserChanges.softDelete(live.id, later()), later());
      const read = await harness.uow.run(async (tx) => ({
        live: await tx.users.find(live.id, { lock: true }),
        gone: await tx.users.find(gone.id, { lock: true }),
        goneAsAdmin: await tx.users.find(gone.id, { lock: true, includeDeleted: true }),
      }));
      expect(read.live?.user.id).toBe(live.id);
      expect(read.live?.roles.map((role) => role.name)).toEqual(["user"]);
      expect(read.gone).toBeUndefined();
      expect(read.goneAsAdmin?.user.id).toBe(gone.id);
    });

    itUses("deletePermanently", "deletes permanently, once", async () => {
      const created = await users().create(newUser(), ["admin"]);
      expect(await users().deletePermanently(created.id)).toBe(true);
      expect(await users().deletePermanently(created.id)).toBe(false);
      expect(await users().find(created.id, { includeDeleted: true })).toBeUndefined();
    });

    const listQuery = (overrides: Partial<UserListQuery>): UserListQuery => ({
      page: 1,
      perPage: 20,
      includeDeleted: false,
      sort: "username",
      order: "asc",
      ...overrides,
    });

    itUses("list", "lists with a literal case-insensitive search, filters, deleted users on request", async () => {
      const tag = `t${Math.random().toString(36).slice(2, 7)}`;
      const a = await users().create(newUser({ username: `${tag}_a`, fullName: "Zed Alpha" }), ["admin"]);
      const b = await users().create(newUser({ username: `${tag}xa`, status: "suspended" }), ["user"]);
      const c = await users().create(newUser({ email: `${tag.toUpperCase()}@EXAMPLE.com` }), ["user"]);
      await users().update(c.id, UserChanges.softDelete(a.id, later()), later());
      const ids = async (query: Partial<UserListQuery>) =>
        (await users().list(listQuery(query))).items.map((i) => i.user.id);
      expect(await ids({ search: tag.toUpperCase() })).toEqual([a.id, b.id]);
      expect(await ids({ search: `${tag}_` })).toEqual([a.id]);
      expect(await ids({ search: `${tag}%` })).toEqual([]);
      expect(await ids({ search: "zed alpha" })).toEqual([a.id]);
      expect((await ids({ search: tag, includeDeleted: true })).sort()).toEqual([a.id, b.id, c.id].sort());
      expect(await ids({ search: tag, role: "admin" })).toEqual([a.id]);
      expect(await ids({ search: tag, status: "suspended" })).toEqual([b.id]);
      expect(await ids({ search: tag, isActive: true })).toEqual([a.id]);
      expect((await ids({ search: tag, isActive: false, includeDeleted: true })).sort()).toEqual([b.id, c.id].sort());
      expect(await ids({ search: tag, order: "desc" })).toEqual([b.id, a.id]);
      const page = await users().list(listQuery({ search: tag, perPage: 1, page: 2 }));
      expect(page.totalItems).toBe(2);
      expect(page.items.map((item) => item.user.id)).toEqual([b.id]);
      expect(page.items[0]?.roleNames).toEqual(["user"]);
    });

    itUses(
      "statistics",
      "counts users by status, role and registration window; deleted ones only as deleted",
      async () => {
        const probe = await users().create(newUser(), []);
        const now = new Date(probe.createdAt.getTime() + 1000);
        const before = await users().statistics(now);
        await users().create(newUser({ status: "pending_approval" }), ["admin"]);
        const gone = await users().create(newUser(), ["admin"]);
        await users().update(gone.id, UserChanges.softDelete(probe.id, now), now);
        const after = await users().statistics(new Date(now.getTime() + 1000));
        expect(after.totalUsers - before.totalUsers).toBe(1);
        expect(after.byStatus.pending_approval - before.byStatus.pending_approval).toBe(1);
        expect(after.inactive - before.inactive).toBe(1);
        expect(after.deleted - before.deleted).toBe(1);
        expect((after.byRole.admin ?? 0) - (before.byRole.admin ?? 0)).toBe(1);
        expect(after.registrations.last24h - before.registrations.last24h).toBe(2);
        expect(after.byRole).toHaveProperty("super_admin");
      },
    );

    it("names roles with their permissions and leaves unknown names out", async () => {
      const roles = await users().rolesNamed(["admin", "no_such_role"]);
      expect(roles.map((role) => role.name)).toEqual(["admin"]);
      expect(roles[0]?.permissions).toContain("users:write");
      expect(await users().rolesNamed([])).toEqual([]);
    });

    it("frees an expired registration's email and username, and only an expired one", async () => {
      const stale = await users().create(newUser({ status: "pending_verification" }), ["user"]);
      const fresh = await users().create(newUser({ status: "pending_verification" }), ["user"]);
      const now = new Date(Math.max(stale.createdAt.getTime(), fresh.createdAt.getTime()) + 1000);
      // `fresh` holds a code still valid at `now`, which renews the registration.
      await harness.uow.run((tx) =>
        tx.oneTimeCodes.issue(
          {
            userId: fresh.id,
            purpose: "verify_email",
            email: fresh.email,
            codeHash: `c${fresh.id}`.padEnd(64, "0").slice(0, 64),
            tokenHash: `t${fresh.id}`.padEnd(64, "0").slice(0, 64),
            expiresAt: new Date(now.getTime() + 3_600_000),
          },
          fresh.createdAt,
        ),
      );
      const holding = (user: typeof stale) => ({ email: user.email.toUpperCase(), username: "nobody_else" });
      expect(await users().deleteExpiredRegistrations(holding(fresh), now, now)).toEqual([]);
      expect(await users().deleteExpiredRegistrations(holding(stale), stale.createdAt, now)).toEqual([]);
      expect(await users().deleteExpiredRegistrations(holding(stale), now, now)).toEqual([stale.id]);
      expect(await users().findByEmail(stale.email)).toBeUndefined();
      expect((await users().findByEmail(fresh.email))?.id).toBe(fresh.id);
    });
  });
}
