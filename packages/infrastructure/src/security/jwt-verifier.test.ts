import { createHmac, generateKeyPairSync, type KeyObject, sign } from "node:crypto";
import { DomainError } from "@gatehouse/domain";
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify, SignJWT } from "jose";
import { describe, expect, it } from "vitest";
import type { VerificationKey } from "./jwt-verifier.js";
import { hs256KeyId, makeSignedAccessTokens, type SigningKey } from "./signed-access-tokens.js";

const base = { issuer: "gatehouse", audience: "gatehouse-api", accessTokenTtlSeconds: 900, clockToleranceSeconds: 30 };
const subject = {
  userId: "u-1",
  sid: "s-1",
  roles: ["user"],
  permissions: ["users:read"],
  assurance: { amr: ["pwd" as const], acr: "aal1" as const, authTime: new Date(1_700_000_000_000) },
};
const secret = new TextEncoder().encode("k".repeat(48));

function asymmetric(kid: string, algorithm: "EdDSA" | "ES256"): SigningKey {
  const pair =
    algorithm === "EdDSA" ? generateKeyPairSync("ed25519") : generateKeyPairSync("ec", { namedCurve: "prime256v1" });
  return { kid, algorithm, privateKey: pair.privateKey, publicKey: pair.publicKey };
}

function publicOnly(key: SigningKey): VerificationKey {
  if (key.algorithm === "HS256") return key;
  return { kid: key.kid, algorithm: key.algorithm, publicKey: key.publicKey };
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return "resolved";
  } catch (error) {
    return error instanceof DomainError ? error.code : `other: ${String(error)}`;
  }
}

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");

function claims(overrides: Record<string, unknown> = {}) {
  const now = Math.floor(Date.now() / 1000);
  return {
    sub: "u-1",
    sid: "s-1",
    jti: "j-1",
    roles: [],
    permissions: [],
    iss: "gatehouse",
    aud: "gatehouse-api",
    iat: now - 5,
    exp: now + 60,
    ...overrides,
  };
}

/** Signs like jose would, with the key the caller picks, so the test controls every header field. */
function signWith(
  header: Record<string, unknown>,
  key: KeyObject | Uint8Array,
  algorithm: "EdDSA" | "ES256",
  payload = claims(),
) {
  return new SignJWT(payload).setProtectedHeader({ ...header, alg: algorithm } as { alg: string }).sign(key);
}

describe("access tokens with kids and asymmetric keys", () => {
  for (const algorithm of ["EdDSA", "ES256"] as const) {
    it(`${algorithm}: issues a token with its kid that verifies here and with jose against the published JWKS`, async () => {
      const key = asymmetric(`k-${algorithm}`, algorithm);
      const tokens = await makeSignedAccessTokens({ ...base, signingKey: key });
      const { token } = await tokens.issue(subject);
      expect(decodeProtectedHeader(token)).toMatchObject({ alg: algorithm, kid: key.kid, typ: "JWT" });
      await expect(tokens.verify(token)).resolves.toMatchObject({ sub: "u-1", sid: "s-1", roles: ["user"] });

      const jwks = tokens.publicJwks();
      expect(jwks).toHaveLength(1);
      expect(jwks[0]).toMatchObject({ kid: key.kid, alg: algorithm, use: "sig" });
      expect(jwks[0]).not.toHaveProperty("d");
      const reference = await jwtVerify(token, createLocalJWKSet({ keys: jwks as never[] }), {
        issuer: "gatehouse",
        audience: "gatehouse-api",
        algorithms: [algorithm],
      });
      expect(reference.payload.sub).toBe("u-1");
    });

    it(`${algorithm}: refuses a token signed with another key under the same kid (forgery)`, async () => {
      const key = asymmetric("k-1", algorithm);
      const attacker = asymmetric("k-1", algorithm);
      const tokens = await makeSignedAccessTokens({ ...base, signingKey: key });
      if (attacker.algorithm === "HS256") throw new Error("unreachable");
      const forged = await signWith({ kid: "k-1" }, attacker.privateKey, algorithm);
      expect(await codeOf(tokens.verify(forged))).toBe("INVALID_TOKEN");
    });
  }

  it("refuses alg confusion: an HS256 token whose HMAC key is the published public key", async () => {
    const key = asymmetric("k-ed", "EdDSA");
    const tokens = await makeSignedAccessTokens({ ...base, signingKey: key });
    if (key.algorithm === "HS256") throw new Error("unreachable");
    const jwk = JSON.stringify(tokens.publicJwks()[0]);
    const pem = key.publicKey.export({ format: "pem", type: "spki" }).toString();
    for (const hmacKey of [jwk, pem]) {
      const input = `${b64({ alg: "HS256", kid: "k-ed", typ: "JWT" })}.${b64(claims())}`;
      const signature = createHmac("sha256", hmacKey).update(input).digest("base64url");
      expect(await codeOf(tokens.verify(`${input}.${signature}`))).toBe("INVALID_TOKEN");
    }
  });

  it("refuses alg none, with and without a known kid", async () => {
    const tokens = await makeSignedAccessTokens({ ...base, signingKey: asymmetric("k-ed", "EdDSA") });
    const hs = await makeSignedAccessTokens({ ...base, secret });
    for (const header of [{ alg: "none", kid: "k-ed" }, { alg: "none", kid: hs256KeyId(secret) }, { alg: "none" }]) {
      const unsigned = `${b64(header)}.${b64(claims())}.`;
      expect(await codeOf(tokens.verify(unsigned))).toBe("INVALID_TOKEN");
      expect(await codeOf(hs.verify(unsigned))).toBe("INVALID_TOKEN");
    }
  });

  it("refuses an unknown kid, and a kid-less token when no HS256 key exists", async () => {
    const key = asymmetric("k-ed", "EdDSA");
    const tokens = await makeSignedAccessTokens({ ...base, signingKey: key });
    if (key.algorithm === "HS256") throw new Error("unreachable");
    expect(await codeOf(tokens.verify(await signWith({ kid: "other" }, key.privateKey, "EdDSA")))).toBe(
      "INVALID_TOKEN",
    );
    expect(await codeOf(tokens.verify(await signWith({}, key.privateKey, "EdDSA")))).toBe("INVALID_TOKEN");
  });

  it("answers TOKEN_EXPIRED for an expired token and INVALID_TOKEN for nbf in the future or a foreign audience", async () => {
    const key = asymmetric("k-es", "ES256");
    const tokens = await makeSignedAccessTokens({ ...base, signingKey: key });
    if (key.algorithm === "HS256") throw new Error("unreachable");
    const now = Math.floor(Date.now() / 1000);
    const sign = (payload: ReturnType<typeof claims>) => signWith({ kid: "k-es" }, key.privateKey, "ES256", payload);
    expect(await codeOf(tokens.verify(await sign(claims({ exp: now - 31 }))))).toBe("TOKEN_EXPIRED");
    expect(await codeOf(tokens.verify(await sign(claims({ nbf: now + 120 }))))).toBe("INVALID_TOKEN");
    expect(await codeOf(tokens.verify(await sign(claims({ aud: "someone-else" }))))).toBe("INVALID_TOKEN");
    expect(await codeOf(tokens.verify(await sign(claims({ iss: "evil" }))))).toBe("INVALID_TOKEN");
    expect(await codeOf(tokens.verify(await sign(claims({ aud: ["x", "gatehouse-api"] }))))).toBe("resolved");
  });

  it("refuses a crit header and malformed segments", async () => {
    const key = asymmetric("k-ed", "EdDSA");
    const tokens = await makeSignedAccessTokens({ ...base, signingKey: key });
    if (key.algorithm === "HS256") throw new Error("unreachable");
    const good = await signWith({ kid: "k-ed" }, key.privateKey, "EdDSA");
    const [h, p, s] = good.split(".") as [string, string, string];
    for (const bad of [`${h}.${p}`, `${h}.${p}.${s}.x`, `${h}.${p}.${s}=`, `${h}.${p}+.${s}`, `.${p}.${s}`]) {
      expect(await codeOf(tokens.verify(bad))).toBe("INVALID_TOKEN");
    }
    // Correctly signed, so only the crit rule can refuse it.
    const input = `${b64({ alg: "EdDSA", kid: "k-ed", crit: ["exp"] })}.${b64(claims())}`;
    const crit = `${input}.${sign(null, Buffer.from(input), key.privateKey).toString("base64url")}`;
    expect(await codeOf(tokens.verify(crit))).toBe("INVALID_TOKEN");
    const plain = `${b64({ alg: "EdDSA", kid: "k-ed" })}.${b64(claims())}`;
    expect(
      await codeOf(tokens.verify(`${plain}.${sign(null, Buffer.from(plain), key.privateKey).toString("base64url")}`)),
    ).toBe("resolved");
  });

  it("rotation: the new key signs, tokens of the old key still verify while it is listed, and not once it is dropped", async () => {
    const old = asymmetric("k-old", "EdDSA");
    const next = asymmetric("k-new", "EdDSA");
    const before = await makeSignedAccessTokens({ ...base, signingKey: old });
    const oldToken = (await before.issue(subject)).token;

    const during = await makeSignedAccessTokens({ ...base, signingKey: next, verificationKeys: [publicOnly(old)] });
    const newToken = (await during.issue(subject)).token;
    expect(decodeProtectedHeader(newToken).kid).toBe("k-new");
    expect(await codeOf(during.verify(oldToken))).toBe("resolved");
    expect(await codeOf(during.verify(newToken))).toBe("resolved");
    expect(during.publicJwks().map((jwk) => jwk?.kid)).toEqual(["k-new", "k-old"]);

    const after = await makeSignedAccessTokens({ ...base, signingKey: next });
    expect(await codeOf(after.verify(oldToken))).toBe("INVALID_TOKEN");
  });

  it("HS256 from JWT_SECRET: kid in the header, stable across nodes, no public JWK, kid-less legacy tokens still verify", async () => {
    const a = await makeSignedAccessTokens({ ...base, secret });
    const b = await makeSignedAccessTokens({ ...base, secret });
    const { token } = await a.issue(subject);
    expect(decodeProtectedHeader(token)).toMatchObject({ alg: "HS256", kid: hs256KeyId(secret) });
    expect(await codeOf(b.verify(token))).toBe("resolved");
    expect(a.publicJwks()).toEqual([]);
    const legacy = await new SignJWT(claims()).setProtectedHeader({ alg: "HS256" }).sign(secret);
    expect(await codeOf(b.verify(legacy))).toBe("resolved");
    // jose is the reference: it accepts what this verifier issued.
    await expect(jwtVerify(token, secret, { issuer: "gatehouse", audience: "gatehouse-api" })).resolves.toBeDefined();
  });
});
