import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError } from "./env-reader.js";
import { loadConfig } from "./load-config.js";

const emptyDir = () => mkdtempSync(join(tmpdir(), "gh-webauthn-config-"));
const webauthnOf = (env: Record<string, string>) => loadConfig(env, emptyDir()).mfa;

describe("WEBAUTHN_* and PASSKEY_LOGIN", () => {
  it("follow PUBLIC_BASE_URL and APP_NAME by default: localhost development works as is", () => {
    expect(webauthnOf({})).toMatchObject({
      webauthn: { rpId: "localhost", rpName: "gatehouse", origins: ["http://localhost:8080"] },
      passkeyLogin: false,
    });
    expect(webauthnOf({ PUBLIC_BASE_URL: "https://id.example.com/", APP_NAME: "Example" })).toMatchObject({
      webauthn: { rpId: "id.example.com", rpName: "Example", origins: ["https://id.example.com"] },
    });
  });

  it("takes an RP id with origins on it or below it, and PASSKEY_LOGIN", () => {
    const config = webauthnOf({
      WEBAUTHN_RP_ID: "example.com",
      WEBAUTHN_RP_NAME: "Example",
      WEBAUTHN_ORIGINS: "https://example.com, https://id.example.com",
      PASSKEY_LOGIN: "true",
    });
    expect(config.webauthn).toEqual({
      rpId: "example.com",
      rpName: "Example",
      origins: ["https://example.com", "https://id.example.com"],
    });
    expect(config.passkeyLogin).toBe(true);
  });

  it("refuses an RP id with a scheme or port, a foreign or plain-http origin, in one line naming the variable", () => {
    const refused = (env: Record<string, string>) => () => webauthnOf(env);
    expect(refused({ WEBAUTHN_RP_ID: "https://example.com" })).toThrow(/^WEBAUTHN_RP_ID must be a domain name/);
    expect(refused({ WEBAUTHN_RP_ID: "example.com:443" })).toThrow(ConfigError);
    expect(refused({ WEBAUTHN_RP_ID: "example.com", WEBAUTHN_ORIGINS: "https://evil.com" })).toThrow(
      /^WEBAUTHN_ORIGINS entry "https:\/\/evil.com" must be an origin on example.com/,
    );
    expect(refused({ WEBAUTHN_RP_ID: "example.com", WEBAUTHN_ORIGINS: "https://notexample.com" })).toThrow(ConfigError);
    expect(refused({ WEBAUTHN_RP_ID: "example.com", WEBAUTHN_ORIGINS: "http://example.com" })).toThrow(
      /must use https/,
    );
    expect(refused({ WEBAUTHN_RP_ID: "example.com", WEBAUTHN_ORIGINS: "https://example.com/path" })).toThrow(
      ConfigError,
    );
    expect(refused({ PASSKEY_LOGIN: "maybe" })).toThrow(/^PASSKEY_LOGIN must be true or false/);
  });
});

describe("WEBAUTHN_* derived from a PUBLIC_BASE_URL passkeys cannot use", () => {
  it("still start: an IP address or plain http origin is not refused when nothing was set", () => {
    expect(webauthnOf({ PUBLIC_BASE_URL: "http://127.0.0.1:9000" }).webauthn).toEqual({
      rpId: "127.0.0.1",
      rpName: "gatehouse",
      origins: ["http://127.0.0.1:9000"],
    });
  });
});

describe("MFA_POLICY", () => {
  it("defaults to optional and reads required and required_for_roles with a role list", () => {
    expect(webauthnOf({}).policy).toEqual({ mode: "optional" });
    expect(webauthnOf({ MFA_POLICY: "required" }).policy).toEqual({ mode: "required" });
    expect(webauthnOf({ MFA_POLICY: "required_for_roles=admin, super_admin" }).policy).toEqual({
      mode: "required_for_roles",
      roles: ["admin", "super_admin"],
    });
  });

  it("refuses anything else in one line naming the variable", () => {
    for (const bad of ["mandatory", "required_for_roles=", "required_for_roles= , "]) {
      expect(() => webauthnOf({ MFA_POLICY: bad })).toThrow(
        /^MFA_POLICY must be optional, required or required_for_roles/,
      );
    }
  });
});
