import { createHash } from "node:crypto";
import { base32Decode, hotp } from "@gatehouse/infrastructure";
import { expect } from "vitest";
import { logIn, post, register, sendWith } from "./http.js";
import type { SoftAuthenticator } from "./soft-authenticator.js";
import { type TestServer, uniqueUser } from "./test-server.js";

type Json = Record<string, unknown>;

/** The 6-digit code an authenticator app shows for `secret` at `at` (RFC 6238, 30 s steps). */
export function totpCode(secret: string, at: Date): string {
  return hotp(base32Decode(secret), Math.floor(at.getTime() / 30_000));
}

/** The claims of a JWT, unverified (the server verified it; the test reads what it says). */
export function claimsOf(token: string): Json {
  return JSON.parse(Buffer.from(token.split(".")[1] ?? "", "base64url").toString("utf8")) as Json;
}

/** How handoff codes and other opaque secrets are stored: SHA-256 hex. */
export function sha256(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("hex");
}

/**
 * The server settings of the MFA suites: a social-login provider whose endpoints are never
 * called (its handoff codes are planted directly), and a failure budget small enough to reach.
 */
export const MFA_TEST_ENV: Record<string, string> = {
  OAUTH_PROVIDERS: "github",
  OAUTH_GITHUB_CLIENT_ID: "id",
  OAUTH_GITHUB_CLIENT_SECRET: "secret",
  OAUTH_GITHUB_AUTHORIZATION_URL: "http://127.0.0.1:9/authorize",
  OAUTH_GITHUB_TOKEN_URL: "http://127.0.0.1:9/token",
  OAUTH_GITHUB_USERINFO_URL: "http://127.0.0.1:9/user",
  OAUTH_GITHUB_EMAILS_URL: "http://127.0.0.1:9/emails",
  OAUTH_ALLOWED_REDIRECT_URIS: "http://app.example/done",
  // Small enough for the budget test to reach; per account, so the other cases never do.
  RATE_LIMIT_LOGIN_FAILURES_REQUESTS: "8",
  // Passkeys: the relying party the software authenticator (support/soft-authenticator.ts) signs for.
  PASSKEY_LOGIN: "true",
  WEBAUTHN_RP_ID: "localhost",
  WEBAUTHN_ORIGINS: "http://localhost:8080",
};

export interface Enrolled {
  readonly user: ReturnType<typeof uniqueUser>;
  readonly userId: string;
  readonly secret: string;
  readonly recoveryCodes: string[];
  /** The aal1 access token of the session that enrolled (opened before the factor existed). */
  readonly enrollingToken: string;
}

/** Enrolment, login challenge and second step against `server()`, as a client drives them. */
export function mfaFlows(server: () => TestServer) {
  /** Moves the server's clock to the next TOTP step, so a fresh code is not a replay. */
  const nextStep = () => server().clock.advance(30);

  async function enrol(): Promise<Enrolled> {
    const user = uniqueUser("mfa");
    const userId = await register(server(), user);
    const session = await logIn(server(), user);
    const started = await post(server(), "/api/v1/users/me/mfa/totp", undefined, session.accessToken);
    expect(started.status).toBe(200);
    const data = started.body.data as { secret: string; otpauth_uri: string; qr_code: string };
    const code = totpCode(data.secret, server().clock.now());
    const confirmed = await post(server(), "/api/v1/users/me/mfa/totp/verify", { code }, session.accessToken);
    expect(confirmed.status).toBe(200);
    const recoveryCodes = (confirmed.body.data as { recovery_codes: string[] }).recovery_codes;
    nextStep();
    return { user, userId, secret: data.secret, recoveryCodes, enrollingToken: session.accessToken };
  }

  async function challenge(user: { email: string; password: string }, userAgent = "mfa-test") {
    const response = await sendWith(server(), "POST", "/api/v1/auth/login", {
      payload: { email: user.email, password: user.password },
      headers: { "user-agent": userAgent },
    });
    expect(response.status).toBe(200);
    return response.body.data as Json;
  }

  function verify(payload: Json, userAgent = "mfa-test") {
    return sendWith(server(), "POST", "/api/v1/auth/mfa/verify", { payload, headers: { "user-agent": userAgent } });
  }
  /** Registers `authenticator` as a passkey of the session's user; answers the registration's data. */
  async function registerPasskey(authenticator: SoftAuthenticator, accessToken: string) {
    const options = await post(server(), "/api/v1/users/me/mfa/webauthn/options", undefined, accessToken);
    expect(options.status).toBe(200);
    const credential = authenticator.create(options.body.data as Json);
    const done = await post(server(), "/api/v1/users/me/mfa/webauthn/verify", { credential }, accessToken);
    expect(done.status).toBe(200);
    return done.body.data as { factor_id: string; recovery_codes: string[] | null };
  }

  /** The second step with a passkey: options for the `mfa_token`, then verify with the assertion. */
  async function verifyWithPasskey(authenticator: SoftAuthenticator, mfaToken: string, userAgent = "mfa-test") {
    const options = await sendWith(server(), "POST", "/api/v1/auth/mfa/webauthn/options", {
      payload: { mfa_token: mfaToken },
      headers: { "user-agent": userAgent },
    });
    expect(options.status).toBe(200);
    const assertion = authenticator.get((options.body.data as { challenge: string }).challenge);
    return verify({ mfa_token: mfaToken, method: "webauthn", assertion }, userAgent);
  }

  /** A passwordless sign-in's challenge (POST /auth/passkey/options). */
  async function passkeyChallenge(): Promise<string> {
    const options = await post(server(), "/api/v1/auth/passkey/options");
    expect(options.status).toBe(200);
    return (options.body.data as { challenge: string }).challenge;
  }

  return { enrol, challenge, verify, nextStep, registerPasskey, verifyWithPasskey, passkeyChallenge };
}
