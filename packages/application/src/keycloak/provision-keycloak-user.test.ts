import type { ExternalTokenIdentity } from "@gatehouse/domain";
import { describe, expect, it } from "vitest";
import { FakeClock, InMemoryDatabase } from "../testing/index.js";
import { makeProvisionKeycloakUser } from "./provision-keycloak-user.js";

const identity: ExternalTokenIdentity = {
  subject: "kc-1",
  roles: [],
  email: "Ada@Example.com",
  emailVerified: true,
  username: "ada",
  sessionId: null,
  jti: "j-1",
  iat: 0,
  exp: 0,
};

function setUp() {
  const db = new InMemoryDatabase(new FakeClock());
  let ids = 0;
  const provision = makeProvisionKeycloakUser({
    uow: db.uow,
    clock: new FakeClock(),
    requireAdminApproval: false,
    newId: () => `00000000-0000-4000-8000-00000000000${ids++}`,
  });
  return { db, provision };
}

describe("makeProvisionKeycloakUser", () => {
  it("creates the user of a first-seen verified account, linked and audited once", async () => {
    const { db, provision } = setUp();
    const user = await provision(identity);
    expect(user).toMatchObject({ email: "ada@example.com", keycloakId: "kc-1", status: "active" });
    expect(db.auditEntries().filter((entry) => entry.action === "user.provisioned")).toHaveLength(1);
    expect(await provision(identity)).toMatchObject({ id: user?.id });
  });

  it("never takes over a local account that holds the email", async () => {
    const { db, provision } = setUp();
    db.seedUser({ email: "ada@example.com" });
    expect(await provision(identity)).toBeUndefined();
    expect(await db.users.findByKeycloakId("kc-1")).toBeUndefined();
  });

  // Regression: on PostgreSQL 11 of 20 racing first requests answered 401. Each read of the
  // attempt sees what was committed when it ran, so the winner could commit between the
  // keycloak-id read (a miss) and the email read (its row): the email counted as taken.
  it("answers the winner's row when a racing provisioning commits between its two reads", async () => {
    const { db, provision } = setUp();
    const winner = db.seedUser({ email: "ada@example.com", keycloakId: "kc-1" });
    const findByKeycloakId = db.users.findByKeycloakId;
    let misses = 1;
    db.users.findByKeycloakId = async (id) => (misses-- > 0 ? undefined : findByKeycloakId(id));
    expect(await provision(identity)).toMatchObject({ id: winner.id });
    expect(db.auditEntries().filter((entry) => entry.action === "user.provisioned")).toHaveLength(0);
  });
});
