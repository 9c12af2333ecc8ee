import { randomBytes } from "node:crypto";
import type { DomainError } from "@gatehouse/domain";
import { sql } from "drizzle-orm";
import { decodeProtectedHeader } from "jose";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { rowsOf } from "../db/database.js";
import { makeSigningKeyStore, type SigningKeyStore } from "../db/signing-key-store.js";
import { createTestDatabase, type TestDatabase, testDatabaseKinds } from "../testing/test-database.js";
import { newDatabaseKey, openDatabaseKeyRing } from "./database-token-keys.js";
import { KeyDecryptionError, openPrivateKey } from "./key-encryption.js";
import { makeSignedAccessTokens } from "./signed-access-tokens.js";

const encryptionKey = new Uint8Array(randomBytes(32));
const subject = {
  userId: "u-1",
  sid: "s-1",
  roles: ["user"],
  permissions: [],
  assurance: { amr: ["pwd" as const], acr: "aal1" as const, authTime: new Date(1_700_000_000_000) },
};
const claims = {
  issuer: "gatehouse",
  audience: "gatehouse-api",
  accessTokenTtlSeconds: 900,
  clockToleranceSeconds: 30,
};

class MovableClock {
  offsetMs = 0;
  now() {
    return new Date(Date.now() + this.offsetMs);
  }
}

describe.each(testDatabaseKinds({ pgbouncer: true }))("database signing keys on %s", (kind) => {
  let database: TestDatabase;
  let store: SigningKeyStore;
  beforeAll(async () => {
    database = await createTestDatabase(kind, { maxConnections: 10 });
    store = makeSigningKeyStore(database.handle.db);
  });
  afterAll(async () => {
    await database.drop();
  });
  beforeEach(async () => {
    await database.handle.db.execute(sql`DELETE FROM signing_keys`);
  });

  it("two nodes starting together on an empty table store one key and both sign with it", async () => {
    const clock = new MovableClock();
    const options = { store, encryptionKey, clock, unknownKidReloadSeconds: 5 };
    const rings = await Promise.all(
      Array.from({ length: 6 }, () => openDatabaseKeyRing(options, () => newDatabaseKey(encryptionKey, "EdDSA"))),
    );
    const kids = new Set(rings.map((ring) => ring.current().signingKey.kid));
    expect(kids.size).toBe(1);
    expect(await store.list()).toHaveLength(1);
  });

  it("keeps the private half encrypted at rest: no PEM in the row, and another key does not open it", async () => {
    const key = await newDatabaseKey(encryptionKey, "ES256");
    const stored = await store.ensureActive(() => key, new Date());
    const [row] = rowsOf<Record<string, string>>(await database.handle.db.execute(sql`SELECT * FROM signing_keys`));
    expect(JSON.stringify(row)).not.toContain("PRIVATE KEY");
    expect(openPrivateKey(encryptionKey, stored.kid, "ES256", stored.privateKeyCiphertext).asymmetricKeyType).toBe(
      "ec",
    );
    expect(() =>
      openPrivateKey(new Uint8Array(randomBytes(32)), stored.kid, "ES256", stored.privateKeyCiphertext),
    ).toThrow(KeyDecryptionError);
    // The ciphertext is bound to its kid: moved under another kid, it does not decrypt.
    expect(() => openPrivateKey(encryptionKey, "another-kid", "ES256", stored.privateKeyCiphertext)).toThrow(
      KeyDecryptionError,
    );
  });

  it("rotation: the new key signs, the old one verifies until retire_after, then retires and leaves the ring", async () => {
    const clock = new MovableClock();
    const ring = await openDatabaseKeyRing({ store, encryptionKey, clock, unknownKidReloadSeconds: 5 }, () =>
      newDatabaseKey(encryptionKey, "EdDSA"),
    );
    const tokens = await makeSignedAccessTokens({ ...claims, ...ring.current() });
    const before = (await tokens.issue(subject)).token;
    const oldKid = decodeProtectedHeader(before).kid;

    const now = clock.now();
    const { active, previous } = await store.rotate(
      await newDatabaseKey(encryptionKey, "EdDSA"),
      now,
      new Date(now.getTime() + 60_000),
    );
    expect(previous).toMatchObject({ kid: oldKid, state: "verifying" });
    expect(await ring.reload()).toBe(true);
    tokens.useKeys(ring.current());
    const after = (await tokens.issue(subject)).token;
    expect(decodeProtectedHeader(after).kid).toBe(active.kid);
    expect((await tokens.verify(before)).sid).toBe("s-1");
    expect(tokens.publicJwks().map((jwk) => jwk.kid)).toEqual([active.kid, oldKid]);
    expect(await ring.reload()).toBe(false);

    clock.offsetMs = 61_000;
    expect(await ring.reload()).toBe(true);
    tokens.useKeys(ring.current());
    expect(tokens.publicJwks().map((jwk) => jwk.kid)).toEqual([active.kid]);
    expect((await store.list()).find((key) => key.kid === oldKid)?.state).toBe("retired");
    await expect(tokens.verify(before)).rejects.toMatchObject({ code: "INVALID_TOKEN" });
  });

  it("concurrent rotations leave exactly one active key", async () => {
    await store.ensureActive(await newDatabaseKey(encryptionKey, "EdDSA").then((key) => () => key), new Date());
    const keys = await Promise.all(Array.from({ length: 4 }, () => newDatabaseKey(encryptionKey, "EdDSA")));
    const now = new Date();
    await Promise.all(keys.map((key) => store.rotate(key, now, new Date(now.getTime() + 60_000))));
    const states = (await store.list()).map((key) => key.state);
    expect(states.filter((state) => state === "active")).toHaveLength(1);
    expect(states.filter((state) => state === "verifying")).toHaveLength(4);
  });

  it("another node's new kid is picked up on first sight, and made-up kids reload at most once per interval", async () => {
    const clock = new MovableClock();
    const options = { store, encryptionKey, clock, unknownKidReloadSeconds: 5 };
    const nodeA = await openDatabaseKeyRing(options, () => newDatabaseKey(encryptionKey, "EdDSA"));
    const nodeB = await openDatabaseKeyRing(options, () => newDatabaseKey(encryptionKey, "EdDSA"));
    let reloads = 0;
    const tokensB = await makeSignedAccessTokens({
      ...claims,
      ...nodeB.current(),
      async onUnknownKid() {
        reloads += 1;
        const changed = await nodeB.reloadForUnknownKid();
        if (changed) tokensB.useKeys(nodeB.current());
        return changed;
      },
    });
    const now = clock.now();
    await store.rotate(await newDatabaseKey(encryptionKey, "EdDSA"), now, new Date(now.getTime() + 60_000));
    await nodeA.reload();
    const tokensA = await makeSignedAccessTokens({ ...claims, ...nodeA.current() });
    const fresh = (await tokensA.issue(subject)).token;
    expect((await tokensB.verify(fresh)).sub).toBe("u-1");
    expect(reloads).toBe(1);

    // A flood of tokens naming unknown kids: refused, and the store is not read again within 5 s.
    const header = Buffer.from(JSON.stringify({ alg: "EdDSA", kid: "made-up" })).toString("base64url");
    const bogus = `${header}.${Buffer.from("{}").toString("base64url")}.${"A".repeat(86)}`;
    const results = await Promise.allSettled(Array.from({ length: 20 }, () => tokensB.verify(bogus)));
    expect(results.every((r) => r.status === "rejected" && (r.reason as DomainError).code === "INVALID_TOKEN")).toBe(
      true,
    );
    expect(await nodeB.reloadForUnknownKid()).toBe(false);
  });
});
