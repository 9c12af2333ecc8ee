import { describe, expect, it } from "vitest";
import { ConfigError } from "./env-reader.js";
import { loadConfig } from "./load-config.js";

const BASE = { JWT_SECRET: "a-secret-that-is-long-enough-for-hs256-tokens" };
const KEYCLOAK = {
  KEYCLOAK_URL: "http://127.0.0.1:8180/",
  KEYCLOAK_REALM: "gatehouse",
  KEYCLOAK_CLIENT_ID: "gatehouse-app",
  KEYCLOAK_CLIENT_SECRET: "app-secret",
  KEYCLOAK_ADMIN_CLIENT_ID: "gatehouse-backend",
  KEYCLOAK_ADMIN_CLIENT_SECRET: "backend-secret",
};
const load = (env: Record<string, string>) => loadConfig({ ...BASE, ...env }, "/nonexistent-dir");

describe("IDENTITY_BACKEND and KEYCLOAK_*", () => {
  it("defaults to the local backend and reads no Keycloak variable", () => {
    expect(load({}).identity).toEqual({ backend: "local", keycloak: undefined });
  });

  it("pins the issuer from KEYCLOAK_URL and KEYCLOAK_REALM, with the documented defaults", () => {
    const { identity } = load({ IDENTITY_BACKEND: "keycloak", ...KEYCLOAK });
    expect(identity.backend).toBe("keycloak");
    expect(identity.keycloak).toMatchObject({
      url: "http://127.0.0.1:8180",
      issuer: "http://127.0.0.1:8180/realms/gatehouse",
      clientId: "gatehouse-app",
      adminClientId: "gatehouse-backend",
      tokenExpiryBufferSeconds: 30,
      timeoutMs: 5000,
      passwordGrant: false,
      acceptTokens: false,
      autoProvision: false,
      jwksCooldownSeconds: 30,
      introspection: "off",
    });
  });

  it("reads KEYCLOAK_INTROSPECTION, which needs the client's id and secret", () => {
    const tokens = { KEYCLOAK_ACCEPT_TOKENS: "true", KEYCLOAK_URL: "https://sso.example.com", KEYCLOAK_REALM: "corp" };
    const client = { KEYCLOAK_CLIENT_ID: "app", KEYCLOAK_CLIENT_SECRET: "app-secret" };
    for (const mode of ["lightweight", "always"]) {
      expect(load({ ...tokens, ...client, KEYCLOAK_INTROSPECTION: mode }).identity.keycloak?.introspection).toBe(mode);
    }
    expect(() => load({ ...tokens, KEYCLOAK_CLIENT_ID: "app", KEYCLOAK_INTROSPECTION: "always" })).toThrow(
      new ConfigError("KEYCLOAK_CLIENT_SECRET is required with KEYCLOAK_INTROSPECTION=always"),
    );
    expect(() => load({ ...tokens, ...client, KEYCLOAK_INTROSPECTION: "sometimes" })).toThrow(
      /KEYCLOAK_INTROSPECTION must be one of off, lightweight, always/,
    );
  });

  it("answers one line naming the missing or wrong variable", () => {
    const { KEYCLOAK_ADMIN_CLIENT_SECRET: _omitted, ...withoutSecret } = KEYCLOAK;
    expect(() => load({ IDENTITY_BACKEND: "keycloak", ...withoutSecret })).toThrow(
      new ConfigError("KEYCLOAK_ADMIN_CLIENT_SECRET is required with IDENTITY_BACKEND=keycloak"),
    );
    expect(() => load({ KEYCLOAK_ACCEPT_TOKENS: "true" })).toThrow(
      new ConfigError("KEYCLOAK_URL is required with KEYCLOAK_ACCEPT_TOKENS=true"),
    );
    expect(() => load({ IDENTITY_BACKEND: "ldap" })).toThrow(/IDENTITY_BACKEND must be one of local, keycloak/);
    expect(() => load({ IDENTITY_BACKEND: "keycloak", ...KEYCLOAK, KEYCLOAK_REALM: "a/b" })).toThrow(
      /KEYCLOAK_REALM must be a realm name/,
    );
    expect(() => load({ IDENTITY_BACKEND: "keycloak", ...KEYCLOAK, KEYCLOAK_ROLE_MAPPING: "admin" })).toThrow(
      /KEYCLOAK_ROLE_MAPPING must be comma-separated/,
    );
    expect(() => load({ IDENTITY_BACKEND: "keycloak", ...KEYCLOAK, APP_ENV: "production" })).toThrow(
      /KEYCLOAK_URL must start with https:/,
    );
    // Regression: a provisioned row would have been pushed over the realm account it came from.
    expect(() => load({ IDENTITY_BACKEND: "keycloak", ...KEYCLOAK, KEYCLOAK_AUTO_PROVISION: "true" })).toThrow(
      /KEYCLOAK_AUTO_PROVISION needs IDENTITY_BACKEND=local/,
    );
  });

  it("reads KEYCLOAK_SYNC_KEY as 32 bytes, required in production only", () => {
    const key = Buffer.alloc(32, 7).toString("base64");
    expect(
      load({ IDENTITY_BACKEND: "keycloak", ...KEYCLOAK, KEYCLOAK_SYNC_KEY: key }).identity.keycloak?.syncKey,
    ).toEqual(new Uint8Array(Buffer.alloc(32, 7)));
    expect(load({ IDENTITY_BACKEND: "keycloak", ...KEYCLOAK }).identity.keycloak?.syncKey).toBeUndefined();
    expect(() => load({ IDENTITY_BACKEND: "keycloak", ...KEYCLOAK, KEYCLOAK_SYNC_KEY: "c2hvcnQ=" })).toThrow(
      new ConfigError("KEYCLOAK_SYNC_KEY must be 32 bytes in base64 (openssl rand -base64 32)"),
    );
    const https = { ...KEYCLOAK, KEYCLOAK_URL: "https://id.example.com" };
    expect(() => load({ IDENTITY_BACKEND: "keycloak", ...https, APP_ENV: "production" })).toThrow(
      /KEYCLOAK_SYNC_KEY is required with IDENTITY_BACKEND=keycloak in production/,
    );
  });

  it("accepts tokens with only the URL, realm and client, and parses the role mapping", () => {
    const { identity } = load({
      KEYCLOAK_ACCEPT_TOKENS: "true",
      KEYCLOAK_URL: "https://sso.example.com",
      KEYCLOAK_REALM: "corp",
      KEYCLOAK_ROLE_MAPPING: "realm:gatehouse-admin=admin, gatehouse-app:auditor=auditor",
    });
    expect(identity.backend).toBe("local");
    expect(identity.keycloak?.acceptTokens).toBe(true);
    expect([...(identity.keycloak?.roleMapping ?? [])]).toEqual([
      ["realm:gatehouse-admin", "admin"],
      ["gatehouse-app:auditor", "auditor"],
    ]);
  });

  it("makes `keycloak` in OAUTH_PROVIDERS default to the realm and its client", () => {
    const { federation } = load({
      ...KEYCLOAK,
      OAUTH_PROVIDERS: "keycloak",
      OAUTH_ALLOWED_REDIRECT_URIS: "http://app.test/signed-in",
    });
    expect(federation.providers).toEqual([
      {
        name: "keycloak",
        kind: "oidc",
        clientId: "gatehouse-app",
        clientSecret: "app-secret",
        scopes: ["openid", "email", "profile"],
        issuer: "http://127.0.0.1:8180/realms/gatehouse",
      },
    ]);
  });
});
