import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { claimsOf, totpCode } from "./support/mfa.js";
import { call, type RunningServer, startServerProcess } from "./support/server-process.js";

/**
 * Two-factor sign-in against the real server process over real HTTP: enrol an authenticator
 * app, then a login answers the MFA challenge instead of tokens, and the second step gives an
 * aal2 session that refresh keeps. Codes are computed like an app does, on the real clock:
 * enrolment spends the current step, the login the next one (inside the ±1 window), so the
 * replay guard never makes the test wait for a new step.
 */
describe("end to end: two-factor sign-in on the real process", () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServerProcess({
      REQUIRE_EMAIL_VERIFICATION: "false",
      ARGON2_MAX_CONCURRENCY: "1",
      MFA_ENCRYPTION_KEY: `e2e-1:${randomBytes(32).toString("base64")}`,
    });
  });
  afterAll(async () => {
    server.child.kill("SIGTERM");
    await server.exited;
  });

  it("enrols TOTP, challenges the next login, completes it at aal2 and refreshes at aal2", async () => {
    const base = server.baseUrl;
    const unique = randomBytes(4).toString("hex");
    const user = { username: `mfa_${unique}`, email: `mfa_${unique}@example.com`, password: "Correct-Horse-42" };
    expect((await call(base, "POST", "/api/v1/auth/register", user)).status).toBe(201);
    const credentials = { email: user.email, password: user.password };
    const first = await call(base, "POST", "/api/v1/auth/login", credentials);
    const firstToken = first.body.data?.access_token as string;
    expect(claimsOf(firstToken)).toMatchObject({ acr: "aal1", amr: ["pwd"] });

    const started = await call(base, "POST", "/api/v1/users/me/mfa/totp", undefined, firstToken);
    const secret = started.body.data?.secret as string;
    const now = Date.now();
    const confirmed = await call(
      base,
      "POST",
      "/api/v1/users/me/mfa/totp/verify",
      { code: totpCode(secret, new Date(now)) },
      firstToken,
    );
    expect(confirmed.status).toBe(200);
    expect(confirmed.body.data?.recovery_codes).toHaveLength(10);

    const held = await call(base, "POST", "/api/v1/auth/login", credentials);
    expect(held.status).toBe(200);
    expect(held.body.data).toMatchObject({ mfa_required: true, factors: ["totp", "recovery_code"] });
    expect(held.body.data).not.toHaveProperty("access_token");

    const next = totpCode(secret, new Date(now + 30_000));
    const done = await call(base, "POST", "/api/v1/auth/mfa/verify", {
      mfa_token: held.body.data?.mfa_token,
      method: "totp",
      code: next,
    });
    expect(done.status).toBe(200);
    const access = done.body.data?.access_token as string;
    expect(claimsOf(access)).toMatchObject({ acr: "aal2", amr: ["pwd", "otp", "mfa"] });
    expect((await call(base, "GET", "/api/v1/auth/me", undefined, access)).status).toBe(200);

    const refreshed = await call(base, "POST", "/api/v1/auth/refresh", {
      refresh_token: done.body.data?.refresh_token,
    });
    expect(claimsOf(refreshed.body.data?.access_token as string)).toMatchObject({ acr: "aal2" });

    // The same code again (a new challenge): the replay guard refuses it.
    const again = await call(base, "POST", "/api/v1/auth/login", credentials);
    const replay = await call(base, "POST", "/api/v1/auth/mfa/verify", {
      mfa_token: again.body.data?.mfa_token,
      method: "totp",
      code: next,
    });
    expect([replay.status, replay.body.error?.code]).toEqual([400, "MFA_CODE_INVALID"]);
  });
});
