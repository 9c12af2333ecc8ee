import { type FederationUnitOfWork, UNUSABLE_PASSWORD_HASH } from "@gatehouse/domain";
import { describe, expect, it } from "vitest";
import { makeUnlinkUserIdentity } from "../admin/unlink-user-identity.js";
import { unsupported } from "../testing/fake-store.js";
import { caught, FakeClock, FakeFederatedIdentities, InMemoryDatabase, requestContext } from "../testing/index.js";
import { makeUnlinkIdentity } from "./unlink-identity.js";

function setUp() {
  const clock = new FakeClock();
  const db = new InMemoryDatabase(clock);
  const identities = new FakeFederatedIdentities();
  const federationFlows = {
    saveState: unsupported,
    consumeState: unsupported,
    saveHandoff: unsupported,
    consumeHandoff: unsupported,
  };
  const federationUow: FederationUnitOfWork = {
    run: (work) => db.uow.run((tx) => work({ ...tx, identities, federationFlows })),
  };
  const deps = { federationUow, clock };
  const link = (userId: string, provider: string) =>
    identities.link({ userId, provider, subject: `${provider}-${userId}`, email: null, at: clock.now() });
  return { clock, db, identities, link, unlink: makeUnlinkIdentity(deps), adminUnlink: makeUnlinkUserIdentity(deps) };
}

const codeOf = async (work: () => Promise<unknown>) => ((await caught(work)) as { code?: string }).code;

describe("unlinking an identity", () => {
  it("keeps the last identity of an account without a password, and lets the one before go", async () => {
    const { db, link, unlink, clock } = setUp();
    const user = db.seedUser({ passwordHash: UNUSABLE_PASSWORD_HASH });
    const first = await link(user.id, "acme");
    const second = await link(user.id, "github");
    const ctx = requestContext(clock);
    expect((await unlink(user.id, first.id, ctx)).id).toBe(first.id);
    expect(await codeOf(() => unlink(user.id, second.id, ctx))).toBe("LAST_SIGN_IN_METHOD");
    expect(db.auditEntries().map((entry) => [entry.action, entry.details])).toEqual([
      ["auth.identity_unlink", { provider: "acme", identity_id: first.id, by: "self" }],
    ]);
  });

  it("lets an account with a password drop its only identity", async () => {
    const { db, link, unlink, identities, clock } = setUp();
    const user = db.seedUser();
    const only = await link(user.id, "acme");
    await unlink(user.id, only.id, requestContext(clock));
    expect(await identities.listForUser(user.id)).toEqual([]);
  });

  it("answers IDENTITY_NOT_FOUND for another user's identity and leaves it linked", async () => {
    const { db, link, unlink, identities, clock } = setUp();
    const owner = db.seedUser();
    const other = db.seedUser();
    const theirs = await link(owner.id, "acme");
    expect(await codeOf(() => unlink(other.id, theirs.id, requestContext(clock)))).toBe("IDENTITY_NOT_FOUND");
    expect(await identities.listForUser(owner.id)).toHaveLength(1);
  });

  it("lets an administrator unlink only under the management guard, audited with the administrator as actor", async () => {
    const { db, link, adminUnlink, clock } = setUp();
    const root = db.seedUser({}, ["super_admin"]);
    const target = db.seedUser();
    const admin = { id: db.seedUser().id, access: { roles: ["admin"], permissions: ["users:write"] } };
    const identity = await link(target.id, "acme");
    const rootIdentity = await link(root.id, "acme");
    const ctx = requestContext(clock);
    expect(await codeOf(() => adminUnlink(admin, root.id, rootIdentity.id, ctx))).toBe("SUPER_ADMIN_REQUIRED");
    expect(await codeOf(() => adminUnlink(admin, root.id, identity.id, ctx))).toBe("SUPER_ADMIN_REQUIRED");
    expect((await adminUnlink(admin, target.id, identity.id, ctx)).id).toBe(identity.id);
    const [entry] = db.auditEntries();
    expect(entry).toMatchObject({ action: "auth.identity_unlink", userId: admin.id, resourceId: target.id });
  });
});
