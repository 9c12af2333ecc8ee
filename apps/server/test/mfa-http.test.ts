import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { errorCode, get, logIn, post, register, send, sendWith } from "./support/http.js";
import { claimsOf, MFA_TEST_ENV, mfaFlows, totpCode } from "./support/mfa.js";
import { sql, startTestServer, type TestServer, uniqueUser } from "./support/test-server.js";

type Json = Record<string, unknown>;

describe("second factors over HTTP (inject, real composition)", () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer(MFA_TEST_ENV);
  });
  afterAll(async () => {
    await t.close();
  });

  const { enrol, challenge, verify, nextStep } = mfaFlows(() => t);

  it("enrols an app only after a valid first code, stores the secret sealed, and shows 10 recovery codes once", async () => {
    const user = uniqueUser("mfa");
    const userId = await register(t, user);
    const session = await logIn(t, user);
    const started = await post(t, "/api/v1/users/me/mfa/totp", undefined, session.accessToken);
    const data = started.body.data as { secret: string; otpauth_uri: string; qr_code: string };
    expect(data.secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(data.otpauth_uri).toMatch(/^otpauth:\/\/totp\/.+secret=[A-Z2-7]{32}.*&period=30/);
    expect(data.qr_code.startsWith("data:image/svg+xml;base64,")).toBe(true);
    const [stored] = await t.query<{ secret_ciphertext: string }>(
      sql`SELECT secret_ciphertext FROM mfa_factors WHERE user_id = ${userId}`,
    );
    expect(stored?.secret_ciphertext).toMatch(/^v1:dev:/);
    expect(stored?.secret_ciphertext).not.toContain(data.secret);

    // Pending: guards nothing, is not listed.
    const credentials = { email: user.email, password: user.password };
    expect((await post(t, "/api/v1/auth/login", credentials)).body.data).toHaveProperty("access_token");
    expect(((await get(t, "/api/v1/users/me/mfa", session.accessToken)).body.data as Json).items).toEqual([]);

    const wrong = await post(t, "/api/v1/users/me/mfa/totp/verify", { code: "000000" }, session.accessToken);
    expect([wrong.status, errorCode(wrong.body)]).toEqual([400, "MFA_CODE_INVALID"]);
    const code = totpCode(data.secret, t.clock.now());
    const confirmed = await post(t, "/api/v1/users/me/mfa/totp/verify", { code }, session.accessToken);
    expect(confirmed.status).toBe(200);
    const codes = (confirmed.body.data as { recovery_codes: string[] }).recovery_codes;
    expect(new Set(codes).size).toBe(10);
    // 12 base32 characters: 60 bits each.
    for (const c of codes) expect(c).toMatch(/^[A-Z2-7]{4}-[A-Z2-7]{4}-[A-Z2-7]{4}$/);
    const again = await post(t, "/api/v1/users/me/mfa/totp/verify", { code }, session.accessToken);
    expect(errorCode(again.body)).toBe("MFA_ALREADY_ENROLLED");
    expect(errorCode((await post(t, "/api/v1/users/me/mfa/totp", undefined, session.accessToken)).body)).toBe(
      "MFA_ALREADY_ENROLLED",
    );

    const listed = await get(t, "/api/v1/users/me/mfa", session.accessToken);
    const items = (listed.body.data as { items: Json[] }).items;
    expect(items.map((f) => f.type)).toEqual(["totp", "recovery_codes"]);
    expect(items[1]?.remaining_codes).toBe(10);
    expect(JSON.stringify(listed.body)).not.toContain(data.secret);
    const hashes = await t.query<{ code_hash: string }>(
      sql`SELECT code_hash FROM mfa_recovery_codes WHERE user_id = ${userId}`,
    );
    expect(hashes).toHaveLength(10);
    expect(hashes.map((h) => h.code_hash)).not.toContain(codes[0]);
    const audit = await t.query(sql`SELECT 1 FROM audit_logs WHERE action = 'mfa.enroll' AND user_id = ${userId}`);
    expect(audit).toHaveLength(1);
    nextStep();
  });

  it("answers a login of a user with a factor with a challenge and no tokens, completed at aal2 by a code", async () => {
    const { user, secret } = await enrol();
    const data = await challenge(user);
    expect(data).toMatchObject({ mfa_required: true, expires_in: 300, factors: ["totp", "recovery_code"] });
    expect(data).not.toHaveProperty("access_token");
    expect(data).not.toHaveProperty("refresh_token");
    const done = await verify({ mfa_token: data.mfa_token, method: "totp", code: totpCode(secret, t.clock.now()) });
    expect(done.status).toBe(200);
    const tokens = done.body.data as { access_token: string; refresh_token: string };
    const claims = claimsOf(tokens.access_token);
    expect(claims).toMatchObject({ acr: "aal2", amr: ["pwd", "otp", "mfa"] });
    expect(Math.abs((claims.auth_time as number) - t.clock.now().getTime() / 1000)).toBeLessThan(5);
    // The access token works, and refresh keeps aal2 (and never invents a newer auth_time).
    expect((await get(t, "/api/v1/auth/me", tokens.access_token)).status).toBe(200);
    const refreshed = await post(t, "/api/v1/auth/refresh", { refresh_token: tokens.refresh_token });
    const after = claimsOf((refreshed.body.data as { access_token: string }).access_token);
    expect(after).toMatchObject({ acr: "aal2", amr: ["pwd", "otp", "mfa"], auth_time: claims.auth_time });
    nextStep();
  });

  it("refuses a replayed code, a reused or foreign mfa_token, and lets one of two parallel verifies win", async () => {
    const { user, secret } = await enrol();
    const first = await challenge(user);
    const code = totpCode(secret, t.clock.now());
    const ok = await verify({ mfa_token: first.mfa_token, method: "totp", code });
    expect(ok.status).toBe(200);
    const reused = await verify({ mfa_token: first.mfa_token, method: "totp", code });
    expect([reused.status, errorCode(reused.body)]).toEqual([401, "MFA_TOKEN_INVALID"]);
    // The same code (same time step) on a new challenge: the replay guard refuses it.
    const replay = await verify({ mfa_token: (await challenge(user)).mfa_token, method: "totp", code });
    expect([replay.status, errorCode(replay.body)]).toEqual([400, "MFA_CODE_INVALID"]);
    nextStep();

    const foreign = await challenge(user, "browser-a");
    const stolen = await verify(
      { mfa_token: foreign.mfa_token, method: "totp", code: totpCode(secret, t.clock.now()) },
      "browser-b",
    );
    expect([stolen.status, errorCode(stolen.body)]).toEqual([401, "MFA_TOKEN_INVALID"]);

    const raced = await challenge(user);
    const fresh = totpCode(secret, t.clock.now());
    const answers = await Promise.all([
      verify({ mfa_token: raced.mfa_token, method: "totp", code: fresh }),
      verify({ mfa_token: raced.mfa_token, method: "totp", code: fresh }),
    ]);
    expect(answers.map((a) => a.status).sort()).toEqual([200, 401]);
    const failures = await t.query(sql`SELECT 1 FROM audit_logs WHERE action = 'mfa.verify_failed'`);
    expect(failures.length).toBeGreaterThanOrEqual(3);
    nextStep();
  });

  it("uses a recovery code once even in parallel, mails the owner, audits it; regeneration voids the old set", async () => {
    const { user, userId, recoveryCodes } = await enrol();
    const [one, two] = [await challenge(user), await challenge(user)];
    const code = recoveryCodes[0] as string;
    const answers = await Promise.all([
      verify({ mfa_token: one.mfa_token, method: "recovery_code", code }),
      verify({ mfa_token: two.mfa_token, method: "recovery_code", code: code.toLowerCase() }),
    ]);
    expect(answers.map((a) => a.status).sort()).toEqual([200, 400]);
    const winner = answers.find((a) => a.status === 200)?.body.data as { access_token: string };
    expect(claimsOf(winner.access_token)).toMatchObject({ acr: "aal2", amr: ["pwd", "mfa"] });
    const mails = await t.query(
      sql`SELECT 1 FROM mail_outbox WHERE recipient = ${user.email} AND template = 'mfa-recovery-code-used'`,
    );
    expect(mails).toHaveLength(1);
    const audit = await t.query(
      sql`SELECT 1 FROM audit_logs WHERE action = 'mfa.recovery_code_used' AND user_id = ${userId}`,
    );
    expect(audit).toHaveLength(1);

    const renewed = await post(t, "/api/v1/users/me/mfa/recovery-codes", undefined, winner.access_token);
    const fresh = (renewed.body.data as { recovery_codes: string[] }).recovery_codes;
    const old = await verify({
      mfa_token: (await challenge(user)).mfa_token,
      method: "recovery_code",
      code: recoveryCodes[1],
    });
    expect(errorCode(old.body)).toBe("MFA_CODE_INVALID");
    const current = await verify({
      mfa_token: (await challenge(user)).mfa_token,
      method: "recovery_code",
      code: fresh[0],
    });
    expect(current.status).toBe(200);
  });

  it("removes a factor: the recovery codes go with the last app, and logins get tokens again", async () => {
    const { user, userId, secret } = await enrol();
    const data = await challenge(user);
    const done = await verify({ mfa_token: data.mfa_token, method: "totp", code: totpCode(secret, t.clock.now()) });
    const token = (done.body.data as { access_token: string }).access_token;
    const items = (
      (await get(t, "/api/v1/users/me/mfa", token)).body.data as { items: Array<{ id: string; type: string }> }
    ).items;
    const app = items.find((f) => f.type === "totp");
    const other = await register(t, uniqueUser("other"));
    expect(other).not.toBe(userId);
    const missing = await send(
      t,
      "DELETE",
      "/api/v1/users/me/mfa/00000000-0000-4000-8000-000000000000",
      undefined,
      token,
    );
    expect([missing.status, errorCode(missing.body)]).toEqual([404, "MFA_FACTOR_NOT_FOUND"]);
    expect((await send(t, "DELETE", `/api/v1/users/me/mfa/${app?.id}`, undefined, token)).status).toBe(200);
    expect(((await get(t, "/api/v1/users/me/mfa", token)).body.data as { items: unknown[] }).items).toEqual([]);
    const plain = await post(t, "/api/v1/auth/login", { email: user.email, password: user.password });
    expect(claimsOf((plain.body.data as { access_token: string }).access_token)).toMatchObject({
      acr: "aal1",
      amr: ["pwd"],
    });
    const removed = await t.query(sql`SELECT 1 FROM audit_logs WHERE action = 'mfa.remove' AND user_id = ${userId}`);
    expect(removed).toHaveLength(1);
  });

  it("refuses to change factors from an aal1 session with the RFC 9470 challenge", async () => {
    const { enrollingToken } = await enrol();
    const items = ((await get(t, "/api/v1/users/me/mfa", enrollingToken)).body.data as { items: Array<{ id: string }> })
      .items;
    const answers = [
      await send(t, "DELETE", `/api/v1/users/me/mfa/${items[0]?.id}`, undefined, enrollingToken),
      await post(t, "/api/v1/users/me/mfa/recovery-codes", undefined, enrollingToken),
    ];
    for (const answer of answers) {
      expect([answer.status, errorCode(answer.body)]).toEqual([401, "INSUFFICIENT_USER_AUTHENTICATION"]);
      expect(answer.headers["www-authenticate"]).toBe(
        'Bearer error="insufficient_user_authentication", error_description="This needs a session signed in with a second factor", acr_values="aal2", max_age=300',
      );
    }
    const still = (await get(t, "/api/v1/users/me/mfa", enrollingToken)).body.data as { items: unknown[] };
    expect(still.items).toHaveLength(2);
  });

  it("spends the failed-login budget with wrong codes: the account's untrusted budget runs out into 429", async () => {
    const { user } = await enrol();
    let wrongCodes = 0;
    let limited = false;
    for (let i = 0; i < 20 && !limited; i += 1) {
      const login = await sendWith(t, "POST", "/api/v1/auth/login", {
        payload: { email: user.email, password: user.password },
        headers: { "user-agent": "mfa-test" },
      });
      limited = login.status === 429;
      if (limited) break;
      const data = login.body.data as Json;
      const wrong = await verify({ mfa_token: data.mfa_token, method: "totp", code: i % 2 ? "123456" : "654321" });
      limited = wrong.status === 429;
      if (!limited) {
        expect(errorCode(wrong.body)).toBe("MFA_CODE_INVALID");
        wrongCodes += 1;
      }
    }
    expect(limited).toBe(true);
    // The budget of 8 is spent by wrong codes alone (proven passwords give their slot back).
    expect(wrongCodes).toBe(8);
  });
});
