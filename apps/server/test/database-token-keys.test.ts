import { randomBytes } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createLogger, loadConfig, makeSigningKeyStore } from "@gatehouse/infrastructure";
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from "jose";
import { afterEach, describe, expect, it } from "vitest";
import { listSigningKeys, rotateSigningKey } from "../src/cli/keys.js";
import { createServer, type Server } from "../src/compose.js";
import { resolveServerSecret } from "../src/wiring/token-keys.js";
import { get, registerAndLogIn } from "./support/http.js";
import { sql, startTestServer, type TestServer, uniqueUser } from "./support/test-server.js";

const KEY_ENCRYPTION_KEY = randomBytes(32).toString("base64");
const ENV = { PUBLIC_BASE_URL: "http://127.0.0.1:1", JWT_KEY_ENCRYPTION_KEY: KEY_ENCRYPTION_KEY };

let running: TestServer | undefined;
let peer: Server | undefined;
afterEach(async () => {
  await peer?.close();
  await running?.close();
  peer = undefined;
  running = undefined;
});

async function until<T>(probe: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error("condition not reached in time");
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe("access-token keys in the database (EdDSA, the default with JWT_KEY_ENCRYPTION_KEY)", () => {
  it("another service verifies tokens with jose's createRemoteJWKSet over HTTP across `keys rotate`; the old key retires later", async () => {
    running = await startTestServer({ ...ENV, JWT_KEYS_RELOAD_SECONDS: "1" });
    const t = running;
    await t.app.listen({ host: "127.0.0.1", port: 0 });
    const address = t.app.server.address();
    if (address === null || typeof address === "string") throw new Error("no port");
    const jwks = createRemoteJWKSet(new URL(`http://127.0.0.1:${address.port}/.well-known/jwks.json`), {
      cooldownDuration: 0,
    });
    const options = { issuer: "gatehouse", audience: "gatehouse-api", algorithms: ["EdDSA"] };

    const oldToken = (await registerAndLogIn(t, uniqueUser("dbk"))).accessToken;
    const oldKid = decodeProtectedHeader(oldToken).kid;
    expect(decodeProtectedHeader(oldToken).alg).toBe("EdDSA");
    expect((await jwtVerify(oldToken, jwks, options)).protectedHeader.kid).toBe(oldKid);
    const rows = await t.query<{ kid: string; state: string }>(sql`SELECT kid, state FROM signing_keys`);
    expect(rows).toEqual([{ kid: oldKid, state: "active" }]);

    // A second node on the same database, reloading only on an unknown kid (hourly otherwise).
    const config = loadConfig(
      { ...ENV, LOG_LEVEL: "silent", DB_AUTO_MIGRATE: "false", JWT_KEYS_RELOAD_SECONDS: "3600" },
      mkdtempSync(join(tmpdir(), "gh-peer-")),
    );
    peer = await createServer(config, createLogger({ level: "silent", pretty: false }), {
      database: t.database.handle,
      clock: t.clock,
    });

    // `gatehouse keys rotate`, on the shared database, while both nodes run.
    const store = makeSigningKeyStore(t.database.handle.db);
    const keyBytes = new Uint8Array(Buffer.from(KEY_ENCRYPTION_KEY, "base64"));
    const report = await rotateSigningKey(config, store, keyBytes, t.clock.now());
    expect(report).toMatch(new RegExp(`${oldKid} verifies until .*, then retires`));

    // The first node picks the new key up within its reload interval, without a restart.
    const newToken = await until(async () => {
      const token = (await registerAndLogIn(t, uniqueUser("dbk"))).accessToken;
      return decodeProtectedHeader(token).kid !== oldKid ? token : undefined;
    });
    const newKid = decodeProtectedHeader(newToken).kid;
    expect((await jwtVerify(newToken, jwks, options)).protectedHeader.kid).toBe(newKid);
    expect((await jwtVerify(oldToken, jwks, options)).protectedHeader.kid).toBe(oldKid);
    expect((await get(t, "/api/v1/auth/me", oldToken)).status).toBe(200);
    // The peer has never seen the new kid: it reloads on first sight instead of refusing.
    expect((await get({ app: peer.app }, "/api/v1/auth/me", newToken)).status).toBe(200);
    expect(await listSigningKeys(store)).toMatch(
      new RegExp(`${newKid}  EdDSA  active[\\s\\S]*${oldKid}  EdDSA  verifying`),
    );

    // Past retire_after (access-token lifetime + tolerance + the rotating config's reload interval,
    // here the peer's hour) the old key retires.
    t.clock.advance(15 * 60 + 30 + 3600 + 1);
    await until(async () => {
      const keys = (await t.app.inject({ method: "GET", url: "/.well-known/jwks.json" })).json() as {
        keys: { kid: string }[];
      };
      return keys.keys.length === 1 && keys.keys[0]?.kid === newKid ? true : undefined;
    });
    const refused = await get(t, "/api/v1/auth/me", oldToken);
    expect(refused.status).toBe(401);
    expect((refused.body.error as { code: string }).code).toBe("INVALID_TOKEN");
    expect((await get(t, "/api/v1/auth/me", newToken)).status).toBe(200);
  }, 120_000);

  it("refuses to start when JWT_KEY_ENCRYPTION_KEY does not decrypt the stored keys, in one line", async () => {
    running = await startTestServer(ENV);
    const config = loadConfig(
      { ...ENV, JWT_KEY_ENCRYPTION_KEY: randomBytes(32).toString("base64"), LOG_LEVEL: "silent" },
      mkdtempSync(join(tmpdir(), "gh-peer-")),
    );
    await expect(
      createServer(config, createLogger({ level: "silent", pretty: false }), { database: running.database.handle }),
    ).rejects.toThrow(/^JWT_KEY_ENCRYPTION_KEY does not decrypt signing key [\w-]+$/);
  });

  it("a production install with only JWT_KEY_ENCRYPTION_KEY starts: codes are hashed under a key derived from it", () => {
    const dir = mkdtempSync(join(tmpdir(), "gh-prod-"));
    const config = loadConfig({ NODE_ENV: "production", JWT_KEY_ENCRYPTION_KEY: KEY_ENCRYPTION_KEY }, dir);
    const derived = resolveServerSecret(config);
    expect(derived.generated).toBe(false);
    expect(derived.secret.byteLength).toBe(32);
    // Not the key-encryption key itself: one use cannot stand in for the other.
    expect(Buffer.from(derived.secret).equals(Buffer.from(KEY_ENCRYPTION_KEY, "base64"))).toBe(false);
    // Production with neither still fails at once, naming JWT_SECRET as before.
    expect(() => resolveServerSecret(loadConfig({ NODE_ENV: "production" }, dir))).toThrow(/^JWT_SECRET is required/);
  });
});
