import { generateKeyPairSync } from "node:crypto";
import { DomainError } from "@gatehouse/domain";
import { decodeJwt, jwtVerify, SignJWT, UnsecuredJWT } from "jose";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { makeSignedAccessTokens } from "./signed-access-tokens.js";

const secret = new TextEncoder().encode("s".repeat(48));
const settings = {
  secret,
  issuer: "gatehouse",
  audience: "gatehouse-api",
  accessTokenTtlSeconds: 900,
  clockToleranceSeconds: 30,
};
const subject = {
  userId: "u-1",
  sid: "s-1",
  roles: ["user"],
  permissions: [],
  assurance: { amr: ["pwd" as const], acr: "aal1" as const, authTime: new Date(1_700_000_000_000) },
};

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return "resolved";
  } catch (error) {
    return error instanceof DomainError ? error.code : `other: ${String(error)}`;
  }
}

function forged(overrides: {
  iss?: string;
  aud?: string;
  exp?: number;
  key?: Uint8Array;
  alg?: string;
  claims?: Record<string, unknown>;
}) {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ sid: "s-1", roles: [], permissions: [], ...overrides.claims })
    .setProtectedHeader({ alg: overrides.alg ?? "HS256" })
    .setSubject("u-1")
    .setJti("j")
    .setIssuedAt(now - 10)
    .setIssuer(overrides.iss ?? "gatehouse")
    .setAudience(overrides.aud ?? "gatehouse-api")
    .setExpirationTime(overrides.exp ?? now + 60)
    .sign(overrides.key ?? secret);
}

describe("signed access tokens", () => {
  let tokens: Awaited<ReturnType<typeof makeSignedAccessTokens>>;
  beforeAll(async () => {
    tokens = await makeSignedAccessTokens(settings);
  });

  it("issues a token whose claims verify back", async () => {
    const issued = await tokens.issue(subject);
    expect(issued.expiresIn).toBe(900);
    const claims = await tokens.verify(issued.token);
    expect(claims).toMatchObject({ sub: "u-1", sid: "s-1", roles: ["user"], permissions: [] });
    expect(claims.exp - claims.iat).toBe(900);
    expect(claims.jti).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("carries the session's amr, acr and auth_time, and drops malformed ones to aal1 on verify", async () => {
    const aal2 = {
      amr: ["pwd" as const, "otp" as const, "mfa" as const],
      acr: "aal2" as const,
      authTime: new Date(1_700_000_123_456),
    };
    const claims = await tokens.verify((await tokens.issue({ ...subject, assurance: aal2 })).token);
    expect(claims).toMatchObject({ amr: ["pwd", "otp", "mfa"], acr: "aal2", auth_time: 1_700_000_123 });
    const malformed = await forged({ claims: { amr: "otp", acr: "aal3", auth_time: "now" } });
    const dropped = await tokens.verify(malformed);
    expect(dropped.acr).toBeUndefined();
    expect(dropped.amr).toBeUndefined();
    expect(dropped.auth_time).toBeUndefined();
  });

  it("carries keycloak_id only when the user is linked to Keycloak", async () => {
    const claimsOf = (token: string) => decodeJwt(token);
    expect(claimsOf((await tokens.issue(subject)).token)).not.toHaveProperty("keycloak_id");
    expect(claimsOf((await tokens.issue({ ...subject, keycloakId: null })).token)).not.toHaveProperty("keycloak_id");
    const linked = await tokens.issue({ ...subject, keycloakId: "3f1c-kc" });
    expect(claimsOf(linked.token).keycloak_id).toBe("3f1c-kc");
    expect(await tokens.verify(linked.token)).toMatchObject({ sub: "u-1", sid: "s-1" });
  });

  it("rejects alg none", async () => {
    const unsigned = new UnsecuredJWT({ sid: "s", roles: [], permissions: [] })
      .setSubject("u-1")
      .setIssuer("gatehouse")
      .setAudience("gatehouse-api")
      .setIssuedAt()
      .setExpirationTime("5m")
      .encode();
    expect(await codeOf(tokens.verify(unsigned))).toBe("INVALID_TOKEN");
  });

  it("rejects another algorithm, a tampered signature, another key, issuer or audience", async () => {
    expect(await codeOf(tokens.verify(await forged({ alg: "HS512" })))).toBe("INVALID_TOKEN");
    const good = (await tokens.issue(subject)).token;
    const [header, payload, signature] = good.split(".");
    const flipped = `${signature?.slice(0, -2)}${signature?.endsWith("AA") ? "BB" : "AA"}`;
    expect(await codeOf(tokens.verify(`${header}.${payload}.${flipped}`))).toBe("INVALID_TOKEN");
    expect(await codeOf(tokens.verify(await forged({ key: new TextEncoder().encode("x".repeat(48)) })))).toBe(
      "INVALID_TOKEN",
    );
    expect(await codeOf(tokens.verify(await forged({ iss: "someone-else" })))).toBe("INVALID_TOKEN");
    expect(await codeOf(tokens.verify(await forged({ aud: "other-api" })))).toBe("INVALID_TOKEN");
    expect(await codeOf(tokens.verify("not.a.jwt"))).toBe("INVALID_TOKEN");
  });

  it("answers TOKEN_EXPIRED past the leeway, and accepts within it", async () => {
    const now = Math.floor(Date.now() / 1000);
    expect(await codeOf(tokens.verify(await forged({ exp: now - 120 })))).toBe("TOKEN_EXPIRED");
    expect(await codeOf(tokens.verify(await forged({ exp: now - 5 })))).toBe("resolved");
  });

  it("refuses a secret under 32 bytes", async () => {
    await expect(makeSignedAccessTokens({ ...settings, secret: new Uint8Array(31) })).rejects.toThrow(/32 bytes/);
  });
});

describe("signing without jose", () => {
  const keys = {
    EdDSA: generateKeyPairSync("ed25519"),
    ES256: generateKeyPairSync("ec", { namedCurve: "P-256" }),
  };

  // The signer is hand-written: a third-party verifier (jose) must accept what it signs.
  it.each(["HS256", "EdDSA", "ES256"] as const)(
    "signs %s tokens that jose verifies, kid and claims intact",
    async (alg) => {
      const signingKey =
        alg === "HS256"
          ? { kid: "k-hs", algorithm: alg, secret }
          : { kid: `k-${alg}`, algorithm: alg, privateKey: keys[alg].privateKey, publicKey: keys[alg].publicKey };
      const signed = await makeSignedAccessTokens({ ...settings, signingKey });
      const before = Math.floor(Date.now() / 1000);
      const { token } = await signed.issue(subject);
      const verifyWith = alg === "HS256" ? secret : keys[alg].publicKey;
      const { payload, protectedHeader } = await jwtVerify(token, verifyWith, {
        issuer: "gatehouse",
        audience: "gatehouse-api",
        algorithms: [alg],
      });
      expect(protectedHeader).toEqual({ alg, typ: "JWT", kid: signingKey.kid });
      expect(payload).toMatchObject({ sub: "u-1", sid: "s-1", roles: ["user"], acr: "aal1", auth_time: 1_700_000_000 });
      expect(payload.exp).toBe((payload.iat as number) + 900);
      expect(payload.iat).toBeGreaterThanOrEqual(before);
      expect(typeof payload.jti).toBe("string");
      expect((await signed.verify(token)).sub).toBe("u-1");
    },
  );

  it("gives every token its own jti", async () => {
    const signed = await makeSignedAccessTokens(settings);
    const [a, b] = await Promise.all([signed.issue(subject), signed.issue(subject)]);
    expect(decodeJwt(a?.token ?? "").jti).not.toBe(decodeJwt(b?.token ?? "").jti);
  });
});

describe("verified-token cache", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("serves a repeated token from the cache but still expires it on time", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(new Date("2026-01-01T00:00:00Z"));
    const tokens = await makeSignedAccessTokens({ ...settings, accessTokenTtlSeconds: 60, clockToleranceSeconds: 5 });
    const { token } = await tokens.issue(subject);
    const first = await tokens.verify(token);
    expect(await tokens.verify(token)).toEqual(first);
    vi.setSystemTime(new Date("2026-01-01T00:01:04Z")); // within the 5 s tolerance
    expect((await tokens.verify(token)).sub).toBe("u-1");
    vi.setSystemTime(new Date("2026-01-01T00:01:06Z"));
    expect(await codeOf(tokens.verify(token))).toBe("TOKEN_EXPIRED");
  });

  it("does not let a tampered copy of a cached token through", async () => {
    const tokens = await makeSignedAccessTokens(settings);
    const { token } = await tokens.issue(subject);
    await tokens.verify(token);
    const [header, , signature] = token.split(".");
    const forgedPayload = Buffer.from(
      JSON.stringify({ sub: "admin", sid: "s-1", roles: ["super_admin"], permissions: [], jti: "j", iat: 0, exp: 9e9 }),
    ).toString("base64url");
    expect(await codeOf(tokens.verify(`${header}.${forgedPayload}.${signature}`))).toBe("INVALID_TOKEN");
  });
});
