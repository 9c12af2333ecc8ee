import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { errorCode, get, post, registerAndLogIn, send, sendWith } from "./support/http.js";
import { claimsOf, MFA_TEST_ENV, mfaFlows, totpCode } from "./support/mfa.js";
import { BOOTSTRAP_ENV, ROOT } from "./support/rbac.js";
import { SoftAuthenticator } from "./support/soft-authenticator.js";
import { sql, startTestServer, type TestServer, uniqueUser } from "./support/test-server.js";

type Json = Record<string, unknown>;
const AGENT = { "user-agent": "policy-test" };

describe("MFA_POLICY=required_for_roles: holders of the role enrol before any session opens", () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer({ ...MFA_TEST_ENV, ...BOOTSTRAP_ENV, MFA_POLICY: "required_for_roles=super_admin" });
  });
  afterAll(async () => {
    await t.close();
  });
  const { challenge, verify, nextStep, registerPasskey } = mfaFlows(() => t);
  const call = (url: string, payload: Json, headers: Record<string, string> = AGENT) =>
    sendWith(t, "POST", url, { payload, headers });

  it("answers the covered user's login with an enrolment-only token that enrols, then signs in at aal2", async () => {
    const login = await call("/api/v1/auth/login", { email: ROOT.email, password: ROOT.password });
    expect(login.status).toBe(200);
    const held = login.body.data as { mfa_token: string; mfa_enrollment_required: boolean; factors: string[] };
    expect(held).toMatchObject({ mfa_required: true, mfa_enrollment_required: true, factors: [] });
    expect(held).not.toHaveProperty("access_token");
    const mfaToken = held.mfa_token;

    // The token does nothing but enrol: not a login's second step, not from another client.
    // (Presented there, it is left in place: a token of one purpose is never used up by the other.)
    const asLogin = await call("/api/v1/auth/mfa/verify", { mfa_token: mfaToken, method: "totp", code: "000000" });
    expect([asLogin.status, errorCode(asLogin.body)]).toEqual([401, "MFA_TOKEN_INVALID"]);
    const foreign = await call("/api/v1/auth/mfa/enroll/totp", { mfa_token: mfaToken }, { "user-agent": "other" });
    expect([foreign.status, errorCode(foreign.body)]).toEqual([401, "MFA_TOKEN_INVALID"]);

    const started = await call("/api/v1/auth/mfa/enroll/totp", { mfa_token: mfaToken });
    expect(started.status).toBe(200);
    const secret = (started.body.data as { secret: string }).secret;
    const wrong = await call("/api/v1/auth/mfa/enroll/totp/verify", { mfa_token: mfaToken, code: "000000" });
    expect([wrong.status, errorCode(wrong.body)]).toEqual([400, "MFA_CODE_INVALID"]);
    const code = totpCode(secret, t.clock.now());
    const done = await call("/api/v1/auth/mfa/enroll/totp/verify", { mfa_token: mfaToken, code });
    expect(done.status, JSON.stringify(done.body)).toBe(200);
    const data = done.body.data as { access_token: string; refresh_token: string; recovery_codes: string[] };
    expect(data.recovery_codes).toHaveLength(10);
    expect(claimsOf(data.access_token)).toMatchObject({ acr: "aal2", amr: ["pwd", "otp", "mfa"] });
    // Used up: the same token cannot finish a second login.
    nextStep();
    const again = await call("/api/v1/auth/mfa/enroll/totp/verify", {
      mfa_token: mfaToken,
      code: totpCode(secret, t.clock.now()),
    });
    expect(errorCode(again.body)).toBe("MFA_TOKEN_INVALID");

    // From now on the account is guarded like any other: a login asks for the app.
    const next = await challenge(ROOT);
    expect(next).toMatchObject({
      mfa_required: true,
      mfa_enrollment_required: false,
      factors: ["totp", "recovery_code"],
    });
    nextStep();
    const second = await verify({ mfa_token: next.mfa_token, method: "totp", code: totpCode(secret, t.clock.now()) });
    const token = (second.body.data as { access_token: string }).access_token;

    // The policy keeps the last factor: removing it, even at aal2, is refused and changes nothing.
    const items = (
      (await get(t, "/api/v1/users/me/mfa", token)).body.data as { items: Array<{ id: string; type: string }> }
    ).items;
    const app = items.find((f) => f.type === "totp");
    const removal = await send(t, "DELETE", `/api/v1/users/me/mfa/${app?.id}`, undefined, token);
    expect([removal.status, errorCode(removal.body)]).toEqual([409, "MFA_REQUIRED_BY_POLICY"]);
    const still = await t.query(sql`SELECT 1 FROM mfa_factors WHERE id = ${app?.id ?? ""}`);
    expect(still).toHaveLength(1);
    nextStep();

    // With a passkey as well, either may go, but not both: two parallel removals, one wins.
    const { factor_id: passkeyId } = await registerPasskey(new SoftAuthenticator(), token);
    const removals = await Promise.all(
      [app?.id, passkeyId].map((id) => send(t, "DELETE", `/api/v1/users/me/mfa/${id}`, undefined, token)),
    );
    expect(removals.map((r) => r.status).sort()).toEqual([200, 409]);
    expect(removals.map((r) => errorCode(r.body)).filter(Boolean)).toEqual(["MFA_REQUIRED_BY_POLICY"]);
    const guards = await t.query(
      sql`SELECT 1 FROM mfa_factors f JOIN users u ON u.id = f.user_id
          WHERE u.email = ${ROOT.email} AND f.type <> 'recovery_codes' AND f.confirmed_at IS NOT NULL`,
    );
    expect(guards).toHaveLength(1);
  });

  it("leaves a user outside the covered roles on the optional policy: tokens at aal1, factors removable", async () => {
    const user = uniqueUser("free");
    const session = await registerAndLogIn(t, user);
    expect(claimsOf(session.accessToken).acr).toBe("aal1");
  });

  it("refuses a login's mfa_token at the enrolment routes: a password alone cannot add a factor", async () => {
    const user = uniqueUser("guarded");
    const session = await registerAndLogIn(t, user);
    const started = await post(t, "/api/v1/users/me/mfa/totp", undefined, session.accessToken);
    const secret = (started.body.data as { secret: string }).secret;
    await post(t, "/api/v1/users/me/mfa/totp/verify", { code: totpCode(secret, t.clock.now()) }, session.accessToken);
    nextStep();
    const held = await challenge(user, "policy-test");
    const refused = await call("/api/v1/auth/mfa/enroll/totp", { mfa_token: held.mfa_token as string });
    expect([refused.status, errorCode(refused.body)]).toEqual([401, "MFA_TOKEN_INVALID"]);
    // And the login token still completes its own login.
    const done = await verify(
      { mfa_token: held.mfa_token, method: "totp", code: totpCode(secret, t.clock.now()) },
      "policy-test",
    );
    expect(done.status).toBe(200);
    nextStep();
  });
});
