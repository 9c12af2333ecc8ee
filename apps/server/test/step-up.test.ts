import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { errorCode, get, post, registerAndLogIn, send, sendWith } from "./support/http.js";
import { claimsOf, MFA_TEST_ENV, mfaFlows, totpCode } from "./support/mfa.js";
import { BOOTSTRAP_ENV, logInRoot, must, roleWith } from "./support/rbac.js";
import { SoftAuthenticator } from "./support/soft-authenticator.js";
import { sql, startTestServer, type TestServer, uniqueUser } from "./support/test-server.js";

type Json = Record<string, unknown>;
const CHALLENGE_5_MIN =
  'Bearer error="insufficient_user_authentication", error_description="This needs a session signed in with a ' +
  'second factor", acr_values="aal2", max_age=300';
const NEW_PASSWORD = "Granite-Harbor-7305";

describe("step-up (RFC 9470): sensitive routes ask a guarded account for a recent second factor", () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer({ ...MFA_TEST_ENV, ...BOOTSTRAP_ENV });
  });
  afterAll(async () => {
    await t.close();
  });

  const { enrol, challenge, verify, nextStep, registerPasskey } = mfaFlows(() => t);
  const stepUp = (token: string, payload: Json) => post(t, "/api/v1/auth/mfa/step-up", payload, token);
  const changePassword = (token: string, current: string) =>
    sendWith(t, "PATCH", "/api/v1/users/me/password", {
      token,
      payload: { current_password: current, new_password: NEW_PASSWORD },
    });

  it("refuses an aal1 session's password change with the challenge, then accepts it after a TOTP step-up", async () => {
    const { user, userId, secret, enrollingToken } = await enrol();
    const refused = await changePassword(enrollingToken, user.password);
    expect([refused.status, errorCode(refused.body)]).toEqual([401, "INSUFFICIENT_USER_AUTHENTICATION"]);
    expect(refused.headers["www-authenticate"]).toBe(CHALLENGE_5_MIN);
    expect((refused.body.error as Json).details).toEqual({ acr_values: "aal2", max_age: 300 });

    const raised = await stepUp(enrollingToken, { method: "totp", code: totpCode(secret, t.clock.now()) });
    expect(raised.status).toBe(200);
    const data = raised.body.data as { access_token: string; acr: string; auth_time: number; amr: string[] };
    expect(data).toMatchObject({ acr: "aal2", token_type: "Bearer" });
    const claims = claimsOf(data.access_token);
    expect(claims).toMatchObject({ acr: "aal2", sid: claimsOf(enrollingToken).sid, auth_time: data.auth_time });
    expect(claims.amr).toEqual(expect.arrayContaining(["pwd", "otp", "mfa"]));
    expect(Math.abs(data.auth_time - t.clock.now().getTime() / 1000)).toBeLessThan(5);
    const audited = await t.query<{ details: Json }>(
      sql`SELECT details FROM audit_logs WHERE action = 'mfa.step_up' AND user_id = ${userId}`,
    );
    expect(audited.map((row) => row.details.session_id)).toEqual([claimsOf(enrollingToken).sid]);

    const changed = await changePassword(data.access_token, user.password);
    expect(changed.status, JSON.stringify(changed.body)).toBe(200);
  });

  it("lets a user without a factor through at aal1: there is nothing to step up with", async () => {
    const user = uniqueUser("plain");
    const session = await registerAndLogIn(t, user);
    expect(claimsOf(session.accessToken).acr).toBe("aal1");
    expect((await changePassword(session.accessToken, user.password)).status).toBe(200);
  });

  it("counts max_age from auth_time: an aal2 login older than 5 minutes is refused until it steps up again", async () => {
    const { user, secret, recoveryCodes } = await enrol();
    const held = await challenge(user);
    const done = await verify({ mfa_token: held.mfa_token, method: "totp", code: totpCode(secret, t.clock.now()) });
    const tokens = done.body.data as { access_token: string; refresh_token: string };
    t.clock.advance(301);
    // Refreshing keeps the level and the original auth_time: it never makes a proof younger.
    const refreshed = await post(t, "/api/v1/auth/refresh", { refresh_token: tokens.refresh_token });
    const fresh = (refreshed.body.data as { access_token: string; refresh_token: string }).access_token;
    expect(claimsOf(fresh).auth_time).toBe(claimsOf(tokens.access_token).auth_time);
    const stale = await send(t, "DELETE", "/api/v1/users/me", { password: user.password }, fresh);
    expect([stale.status, errorCode(stale.body)]).toEqual([401, "INSUFFICIENT_USER_AUTHENTICATION"]);
    expect(stale.headers["www-authenticate"]).toBe(CHALLENGE_5_MIN);

    // A profile edit is not sensitive; only an email change is.
    const renamed = await send(t, "PUT", "/api/v1/users/me", { full_name: "Still Me" }, fresh);
    expect(renamed.status).toBe(200);
    const moved = await send(
      t,
      "PUT",
      "/api/v1/users/me",
      { email: `moved-${user.email}`, current_password: user.password },
      fresh,
    );
    expect(errorCode(moved.body)).toBe("INSUFFICIENT_USER_AUTHENTICATION");

    const raised = await stepUp(fresh, { method: "recovery_code", code: recoveryCodes[0] });
    expect(raised.status).toBe(200);
    const token = (raised.body.data as { access_token: string }).access_token;
    expect(claimsOf(token).amr).toContain("mfa");
    const deleted = await send(t, "DELETE", "/api/v1/users/me", { password: user.password }, token);
    expect(deleted.status, JSON.stringify(deleted.body)).toBe(200);
  });

  /** A user who enrolled an app from a password session, with that session (aal1) and its refresh token. */
  async function guardedSession() {
    const session = await registerAndLogIn(t, uniqueUser("raise"));
    const started = await post(t, "/api/v1/users/me/mfa/totp", undefined, session.accessToken);
    const secret = (started.body.data as { secret: string }).secret;
    const code = totpCode(secret, t.clock.now());
    expect((await post(t, "/api/v1/users/me/mfa/totp/verify", { code }, session.accessToken)).status).toBe(200);
    nextStep();
    return { ...session, secret };
  }

  it("raises the session itself: its refresh token yields aal2 tokens afterwards", async () => {
    const session = await guardedSession();
    const raised = await stepUp(session.accessToken, { method: "totp", code: totpCode(session.secret, t.clock.now()) });
    expect(raised.status).toBe(200);
    const refreshed = await post(t, "/api/v1/auth/refresh", { refresh_token: session.refreshToken });
    expect(refreshed.status).toBe(200);
    expect(claimsOf((refreshed.body.data as { access_token: string }).access_token).acr).toBe("aal2");
  });

  it("refuses a wrong code (400, audited, budget spent) and a replayed step, leaving the session at aal1", async () => {
    const session = await guardedSession();
    const wrong = await stepUp(session.accessToken, { method: "totp", code: "000000" });
    expect([wrong.status, errorCode(wrong.body)]).toEqual([400, "MFA_CODE_INVALID"]);
    const code = totpCode(session.secret, t.clock.now());
    expect((await stepUp(session.accessToken, { method: "totp", code })).status).toBe(200);
    const replay = await stepUp(session.accessToken, { method: "totp", code });
    expect(errorCode(replay.body)).toBe("MFA_CODE_INVALID");
    const failures = await t.query<{ details: Json }>(
      sql`SELECT details FROM audit_logs WHERE action = 'mfa.verify_failed' AND user_id = ${session.userId}`,
    );
    expect(failures.map((f) => [f.details.reason, f.details.step_up])).toEqual([
      ["wrong_code", true],
      ["wrong_code", true],
    ]);
    // Passkey options for an account with no passkey: 409, nothing kept.
    const noPasskey = await post(t, "/api/v1/auth/mfa/step-up/webauthn/options", undefined, session.accessToken);
    expect([noPasskey.status, errorCode(noPasskey.body)]).toEqual([409, "MFA_NOT_ENROLLED"]);
    const missing = await stepUp(session.accessToken, { method: "totp" });
    expect(errorCode(missing.body)).toBe("VALIDATION_ERROR");
    expect((await post(t, "/api/v1/auth/mfa/step-up", { method: "totp", code })).status).toBe(401);
  });

  it("steps up with a passkey, whose challenge is bound to the session: a login's challenge does not sign it", async () => {
    const session = await guardedSession();
    const raisedByCode = await stepUp(session.accessToken, {
      method: "totp",
      code: totpCode(session.secret, t.clock.now()),
    });
    const aal2 = (raisedByCode.body.data as { access_token: string }).access_token;
    nextStep();
    const authenticator = new SoftAuthenticator();
    await registerPasskey(authenticator, aal2);

    const options = await post(t, "/api/v1/auth/mfa/step-up/webauthn/options", undefined, session.accessToken);
    expect(options.status).toBe(200);
    const assertion = authenticator.get((options.body.data as { challenge: string }).challenge);
    const raised = await stepUp(session.accessToken, { method: "webauthn", assertion });
    expect(raised.status, JSON.stringify(raised.body)).toBe(200);
    expect(claimsOf((raised.body.data as { access_token: string }).access_token).amr).toContain("mfa");
    const reused = await stepUp(session.accessToken, { method: "webauthn", assertion });
    expect(errorCode(reused.body)).toBe("WEBAUTHN_CHALLENGE_INVALID");
  });

  it("guards the admin routes that change roles: an operator with a factor must step up, one without need not", async () => {
    const root = await logInRoot(t);
    const roleId = await roleWith(t, root, ["roles:write", "users:read"]);
    const operator = await guardedSession();
    await must(
      send(t, "POST", `/api/v1/admin/users/${operator.userId}/roles`, { role_ids: [roleId] }, root.accessToken),
    );
    const target = await registerAndLogIn(t, uniqueUser("target"));
    const operatorToken = (await post(t, "/api/v1/auth/refresh", { refresh_token: operator.refreshToken })).body
      .data as { access_token: string; refresh_token: string };
    const assign = (token: string) =>
      send(t, "POST", `/api/v1/admin/users/${target.userId}/roles`, { role_ids: [roleId] }, token);
    const refused = await assign(operatorToken.access_token);
    expect([refused.status, errorCode(refused.body)]).toEqual([401, "INSUFFICIENT_USER_AUTHENTICATION"]);
    const raised = await stepUp(operatorToken.access_token, {
      method: "totp",
      code: totpCode(operator.secret, t.clock.now()),
    });
    expect((await assign((raised.body.data as { access_token: string }).access_token)).status).toBe(200);
    // The bootstrap super_admin has no factor: the same route takes its aal1 token.
    expect((await assign(root.accessToken)).status).toBe(200);
  });

  it("documents every step-up route in the OpenAPI document with x-required-acr", async () => {
    const doc = (await get(t, "/openapi.json")).body as unknown as {
      paths: Record<string, Record<string, { "x-required-acr"?: string }>>;
    };
    const guarded = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.entries(ops)
        .filter(([, op]) => op["x-required-acr"] === "aal2")
        .map(([method]) => `${method.toUpperCase()} ${path}`),
    );
    expect(guarded.sort()).toEqual(
      [
        "DELETE /api/v1/admin/roles/{id}/permissions/{permission_id}",
        "DELETE /api/v1/admin/users/{id}/identities/{identity_id}",
        "DELETE /api/v1/admin/users/{id}/mfa",
        "DELETE /api/v1/admin/users/{id}/roles/{role_id}",
        "DELETE /api/v1/users/me",
        "DELETE /api/v1/users/me/mfa/{id}",
        "PATCH /api/v1/users/me/password",
        "POST /api/v1/admin/roles/{id}/permissions",
        "POST /api/v1/admin/users/{id}/roles",
        "POST /api/v1/users/me/mfa/recovery-codes",
        "PUT /api/v1/admin/users/{id}",
      ].sort(),
    );
  });
});
