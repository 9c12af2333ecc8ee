import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { errorCode, get, post, registerAndLogIn, type Session, send } from "./support/http.js";
import { MFA_TEST_ENV, mfaFlows, totpCode } from "./support/mfa.js";
import { SoftAuthenticator } from "./support/soft-authenticator.js";
import { sql, startTestServer, type TestServer, testDatabaseKinds, uniqueUser } from "./support/test-server.js";

type Json = Record<string, unknown>;
const BASE = "/api/v1/admin/users";

describe.each(testDatabaseKinds())("an administrator's reset of second factors on %s", (kind) => {
  let t: TestServer;
  let admin: Session;
  let superAdmin: Session;
  beforeAll(async () => {
    t = await startTestServer(MFA_TEST_ENV, kind);
    admin = await withRole("admin");
    superAdmin = await withRole("super_admin");
  });
  afterAll(async () => {
    await t.close();
  });
  const { enrol, challenge, verify, registerPasskey } = mfaFlows(() => t);

  async function withRole(role: string): Promise<Session> {
    const session = await registerAndLogIn(t, uniqueUser(role));
    await t.query(
      sql`INSERT INTO user_roles (user_id, role_id) SELECT ${session.userId}, id FROM roles WHERE name = ${role}`,
    );
    return session;
  }

  const reset = (userId: string, token: string) => send(t, "DELETE", `${BASE}/${userId}/mfa`, undefined, token);
  const factorRows = (userId: string) => t.query(sql`SELECT type FROM mfa_factors WHERE user_id = ${userId}`);

  it("removes the factors, ends the sessions, audits and mails; the user then signs in with the password alone", async () => {
    const { user, userId, secret } = await enrol();
    const held = await challenge(user);
    const strong = await verify({ mfa_token: held.mfa_token, method: "totp", code: totpCode(secret, t.clock.now()) });
    const { access_token: accessToken } = strong.body.data as { access_token: string };
    expect((await get(t, "/api/v1/users/me", accessToken)).status).toBe(200);

    const done = await reset(userId, admin.accessToken);
    expect(done.status).toBe(200);
    // The enrolling session and the aal2 one.
    expect(done.body.data).toEqual({ factors_removed: 2, sessions_ended: 2 });
    expect(await factorRows(userId)).toEqual([]);
    expect(await t.query(sql`SELECT 1 FROM mfa_recovery_codes WHERE user_id = ${userId}`)).toEqual([]);

    const stale = await get(t, "/api/v1/users/me", accessToken);
    expect(stale.status).toBe(401);
    const login = await post(t, "/api/v1/auth/login", { email: user.email, password: user.password });
    expect(login.status).toBe(200);
    expect(login.body.data).toHaveProperty("access_token");
    expect(login.body.data).not.toHaveProperty("mfa_required");

    const audit = await t.query<{ user_id: string; details: Json; status: string }>(
      sql`SELECT user_id, details, status FROM audit_logs WHERE action = 'mfa.reset_by_admin' AND resource_id = ${userId}`,
    );
    expect(audit).toEqual([
      {
        user_id: admin.userId,
        status: "success",
        details: { factors_removed: 2, factor_types: ["recovery_codes", "totp"], sessions_revoked: 2 },
      },
    ]);
    const mail = await t.query(
      sql`SELECT 1 FROM mail_outbox WHERE recipient = ${user.email} AND template = 'mfa-reset-by-admin'`,
    );
    expect(mail).toHaveLength(1);
  });

  it("removes passkeys with their credentials, so the authenticator no longer signs in", async () => {
    const session = await registerAndLogIn(t, uniqueUser("pk"));
    const authenticator = new SoftAuthenticator();
    await registerPasskey(authenticator, session.accessToken);
    const done = await reset(session.userId, admin.accessToken);
    expect(done.body.data).toEqual({ factors_removed: 2, sessions_ended: 1 });
    const credentials = await t.query(sql`SELECT 1 FROM webauthn_credentials WHERE user_id = ${session.userId}`);
    expect(credentials).toEqual([]);
    const options = await post(t, "/api/v1/auth/passkey/options");
    const assertion = authenticator.get((options.body.data as { challenge: string }).challenge);
    const refused = await post(t, "/api/v1/auth/passkey/login", { assertion });
    expect(refused.status).toBe(401);
  });

  it("needs users:write, refuses a super_admin's factors to an admin and oneself, and 404s an unknown user", async () => {
    const { userId } = await enrol();
    const member = await registerAndLogIn(t, uniqueUser("member"));
    const forbidden = await reset(userId, member.accessToken);
    expect([forbidden.status, errorCode(forbidden.body)]).toEqual([403, "INSUFFICIENT_PERMISSIONS"]);

    const above = await reset(superAdmin.userId, admin.accessToken);
    expect([above.status, errorCode(above.body)]).toEqual([403, "SUPER_ADMIN_REQUIRED"]);
    const own = await reset(admin.userId, admin.accessToken);
    expect([own.status, errorCode(own.body)]).toEqual([422, "CANNOT_RESET_OWN_MFA"]);
    const unknown = await reset(randomUUID(), admin.accessToken);
    expect([unknown.status, errorCode(unknown.body)]).toEqual([404, "USER_NOT_FOUND"]);
    expect(await factorRows(userId)).toHaveLength(2);
    const refusals = await t.query(
      sql`SELECT 1 FROM audit_logs WHERE action = 'mfa.reset_by_admin' AND resource_id = ${superAdmin.userId} AND status = 'failure'`,
    );
    expect(refusals).toHaveLength(1);
  });

  it("signs a user out everywhere (DELETE /sessions) without touching the factors", async () => {
    const { userId, enrollingToken } = await enrol();
    const member = await registerAndLogIn(t, uniqueUser("member"));
    const forbidden = await send(t, "DELETE", `${BASE}/${userId}/sessions`, undefined, member.accessToken);
    expect(forbidden.status).toBe(403);
    const done = await send(t, "DELETE", `${BASE}/${userId}/sessions`, undefined, admin.accessToken);
    expect([done.status, done.body.data]).toEqual([200, { sessions_ended: 1 }]);
    expect((await get(t, "/api/v1/users/me", enrollingToken)).status).toBe(401);
    expect(await factorRows(userId)).toHaveLength(2);
    const unknown = await send(t, "DELETE", `${BASE}/${randomUUID()}/sessions`, undefined, admin.accessToken);
    expect(errorCode(unknown.body)).toBe("USER_NOT_FOUND");
  });
});
