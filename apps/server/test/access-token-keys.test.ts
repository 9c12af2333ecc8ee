import { generateKeyPairSync } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConfigError, loadConfig, loadPemSigningKey } from "@gatehouse/infrastructure";
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from "jose";
import { afterEach, describe, expect, it } from "vitest";
import { get, registerAndLogIn } from "./support/http.js";
import { startTestServer, type TestServer, uniqueUser } from "./support/test-server.js";

const dir = mkdtempSync(join(tmpdir(), "gh-keys-"));
function keyFiles(name: string, kind: "ed25519" | "ec") {
  const pair =
    kind === "ed25519" ? generateKeyPairSync("ed25519") : generateKeyPairSync("ec", { namedCurve: "prime256v1" });
  const privatePath = join(dir, `${name}.key.pem`);
  const publicPath = join(dir, `${name}.pub.pem`);
  writeFileSync(privatePath, pair.privateKey.export({ format: "pem", type: "pkcs8" }));
  writeFileSync(publicPath, pair.publicKey.export({ format: "pem", type: "spki" }));
  return { privatePath, publicPath };
}

let running: TestServer | undefined;
async function stop() {
  await running?.close();
  running = undefined;
}
afterEach(stop);

async function serve(env: Record<string, string>, port = 0) {
  running = await startTestServer({ PUBLIC_BASE_URL: "http://127.0.0.1:1", ...env });
  await running.app.listen({ host: "127.0.0.1", port });
  const address = running.app.server.address();
  if (address === null || typeof address === "string") throw new Error("no port");
  return { t: running, port: address.port, base: `http://127.0.0.1:${address.port}` };
}

describe("asymmetric access tokens and the well-known documents", () => {
  it("another service verifies Gatehouse tokens with jose's createRemoteJWKSet across a key rotation", async () => {
    const oldKey = keyFiles("old", "ed25519");
    const newKey = keyFiles("new", "ed25519");
    const first = await serve({ JWT_ALGORITHM: "EdDSA", JWT_PRIVATE_KEY_FILE: oldKey.privatePath });
    const oldToken = (await registerAndLogIn(first.t, uniqueUser("rot"))).accessToken;
    const oldKid = decodeProtectedHeader(oldToken).kid;
    expect(oldKid).toEqual(expect.any(String));

    // The other team's verifier: one remote key set for its whole life, as jose documents it.
    const jwks = createRemoteJWKSet(new URL(`${first.base}/.well-known/jwks.json`), { cooldownDuration: 0 });
    const options = { issuer: "gatehouse", audience: "gatehouse-api", algorithms: ["EdDSA"] };
    expect((await jwtVerify(oldToken, jwks, options)).payload.sid).toEqual(expect.any(String));

    // Rotation: the same address now signs with the new key and still publishes the old one.
    await stop();
    const second = await serve(
      {
        JWT_ALGORITHM: "EdDSA",
        JWT_PRIVATE_KEY_FILE: newKey.privatePath,
        JWT_PREVIOUS_PUBLIC_KEY_FILES: oldKey.publicPath,
      },
      first.port,
    );
    const newToken = (await registerAndLogIn(second.t, uniqueUser("rot"))).accessToken;
    expect(decodeProtectedHeader(newToken).kid).not.toBe(oldKid);
    expect((await jwtVerify(newToken, jwks, options)).protectedHeader.kid).toBe(decodeProtectedHeader(newToken).kid);
    expect((await jwtVerify(oldToken, jwks, options)).protectedHeader.kid).toBe(oldKid);
    expect((await get(second.t, "/api/v1/auth/me", newToken)).status).toBe(200);

    // Retired: once the old key is no longer listed, its tokens are refused here.
    await stop();
    const third = await serve({ JWT_ALGORITHM: "EdDSA", JWT_PRIVATE_KEY_FILE: newKey.privatePath });
    const refused = await get(third.t, "/api/v1/auth/me", oldToken);
    expect(refused.status).toBe(401);
    expect((refused.body.error as { code: string }).code).toBe("INVALID_TOKEN");
    // Three embedded-database starts in a row: about 20 s on an idle 2-core machine.
  }, 120_000);

  it("publishes only public keys with Cache-Control, and a minimal discovery document", async () => {
    const key = keyFiles("es", "ec");
    const { t } = await serve({ JWT_ALGORITHM: "ES256", JWT_PRIVATE_KEY_FILE: key.privatePath });
    const jwks = await t.app.inject({ method: "GET", url: "/.well-known/jwks.json" });
    expect(jwks.statusCode).toBe(200);
    expect(jwks.headers["cache-control"]).toBe("public, max-age=300");
    const keys = (jwks.json() as { keys: Record<string, unknown>[] }).keys;
    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatchObject({ kty: "EC", crv: "P-256", alg: "ES256", use: "sig" });
    expect(keys[0]).not.toHaveProperty("d");

    const discovery = await t.app.inject({ method: "GET", url: "/.well-known/openid-configuration" });
    expect(discovery.headers["cache-control"]).toBe("public, max-age=300");
    expect(discovery.json()).toEqual({
      issuer: "gatehouse",
      jwks_uri: "http://127.0.0.1:1/.well-known/jwks.json",
      id_token_signing_alg_values_supported: [],
      access_token_signing_alg_values_supported: ["ES256"],
    });
  });

  it("HS256 (JWT_SECRET) publishes an empty key set: the secret never leaves the server", async () => {
    const { t } = await serve({});
    const jwks = await t.app.inject({ method: "GET", url: "/.well-known/jwks.json" });
    expect(jwks.json()).toEqual({ keys: [] });
  });

  it("refuses to start with an asymmetric algorithm and no key, or a key of the wrong type, in one line", async () => {
    expect(() => loadConfig({ JWT_ALGORITHM: "EdDSA" }, dir)).toThrow(
      new ConfigError("JWT_PRIVATE_KEY_FILE or JWT_KEY_ENCRYPTION_KEY is required when JWT_ALGORITHM is EdDSA"),
    );
    expect(() => loadConfig({ JWT_ALGORITHM: "RS256" }, dir)).toThrow(
      /JWT_ALGORITHM must be one of EdDSA, ES256, HS256/,
    );
    const ec = keyFiles("wrong", "ec");
    await expect(loadPemSigningKey(ec.privatePath, "EdDSA")).rejects.toThrow(
      `JWT_PRIVATE_KEY_FILE: ${ec.privatePath} is not a key for JWT_ALGORITHM EdDSA`,
    );
    await expect(loadPemSigningKey(join(dir, "missing.pem"), "EdDSA")).rejects.toThrow(/cannot read .* \(ENOENT\)/);
  });
});
