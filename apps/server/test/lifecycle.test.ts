import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LiveServer, PUBLIC_BASE_URL, secretsIn, startLiveServer } from "./support/live-server.js";
import { sql, testDatabaseKinds, uniqueUser } from "./support/test-server.js";

type Json = Record<string, unknown>;
const data = (body: Json) => body.data as Json;
const code = (body: Json) => (body.error as Json | undefined)?.code;

// Registration, verification (in time and expired), resend, login before and after
// verification, logout, password reset and email change, end to end: real HTTP, a real
// SMTP server for every mail, and real PostgreSQL when DATABASE_URL is set.
describe.each(testDatabaseKinds())("self-service lifecycle over HTTP on %s", (kind) => {
  let live: LiveServer;
  beforeAll(async () => {
    live = await startLiveServer({}, kind);
  });
  afterAll(async () => {
    await live.close();
  });

  async function register(user = uniqueUser()) {
    const response = await live.call("POST", "/api/v1/register", user);
    expect(response.status).toBe(201);
    const mailCount = live.smtp.mailsTo(user.email).length + 1;
    return { user, response, mail: await live.smtp.waitForMail(user.email, mailCount) };
  }

  async function activeUser() {
    const { user, mail } = await register();
    expect((await live.call("POST", "/api/v1/register/verify", { token: secretsIn(mail).token })).status).toBe(200);
    return user;
  }

  async function logIn(user: { email: string; password: string }) {
    const response = await live.call("POST", "/api/v1/auth/login", { email: user.email, password: user.password });
    expect(response.status).toBe(200);
    return data(response.body) as { access_token: string; refresh_token: string };
  }

  it("register pending, login refused, verify by code, login, logout", async () => {
    const { user, response, mail } = await register();
    expect(response.body).toMatchObject({
      success: true,
      message: expect.stringContaining("code"),
      data: { email: user.email, status: "pending_verification", verification_expires_at: expect.any(String) },
    });
    const registered = data(response.body);
    const expiresIn = Date.parse(registered.verification_expires_at as string) - Date.now();
    expect(expiresIn).toBeGreaterThan(23.9 * 3_600_000);
    expect(expiresIn).toBeLessThanOrEqual(24 * 3_600_000);
    expect(live.smtp.mailsTo(user.email)).toHaveLength(1);
    const secrets = secretsIn(mail);
    expect(secrets.link.startsWith(`${PUBLIC_BASE_URL}/verify-email?token=`)).toBe(true);
    // Only keyed hashes are stored.
    const rows = await live.t.query<Json>(sql`SELECT * FROM one_time_codes WHERE user_id = ${registered.id as string}`);
    expect(JSON.stringify(rows)).not.toContain(secrets.code);
    expect(JSON.stringify(rows)).not.toContain(secrets.token);

    // An unverified account: 403 only after the right password.
    const wrong = await live.call("POST", "/api/v1/auth/login", { email: user.email, password: "Wrong-Horse-9" });
    expect([wrong.status, code(wrong.body)]).toEqual([401, "INVALID_CREDENTIALS"]);
    const early = await live.call("POST", "/api/v1/auth/login", { email: user.email, password: user.password });
    expect([early.status, code(early.body)]).toEqual([403, "ACCOUNT_NOT_VERIFIED"]);

    // Verify by code, once.
    const verified = await live.call("POST", "/api/v1/register/verify", { email: user.email, code: secrets.code });
    expect(verified.status).toBe(200);
    expect(data(verified.body)).toEqual({ id: registered.id, email: user.email, status: "active" });
    const again = await live.call("POST", "/api/v1/register/verify", { email: user.email, code: secrets.code });
    expect([again.status, code(again.body)]).toEqual([409, "ALREADY_VERIFIED"]);

    // Log in, then log out.
    const session = await logIn(user);
    expect((await live.call("GET", "/api/v1/auth/me", undefined, session.access_token)).status).toBe(200);
    expect((await live.call("POST", "/api/v1/auth/logout", {}, session.access_token)).status).toBe(200);
    const after = await live.call("GET", "/api/v1/auth/me", undefined, session.access_token);
    expect(after.status).toBe(401);
  });

  it("verifies with the link token once", async () => {
    const { mail } = await register();
    const { token } = secretsIn(mail);
    const first = await live.call("POST", "/api/v1/register/verify", { token });
    expect(data(first.body)).toMatchObject({ status: "active" });
    const replay = await live.call("POST", "/api/v1/register/verify", { token });
    expect([replay.status, code(replay.body)]).toEqual([409, "ALREADY_VERIFIED"]);
  });

  it("refuses wrong codes with 400 and burns the code after 5, even under 50 parallel guesses", async () => {
    const { user, mail } = await register();
    const right = secretsIn(mail).code;
    const wrongCode = right === "000000" ? "000001" : "000000";
    const guesses = await Promise.all(
      Array.from({ length: 50 }, () =>
        live.call("POST", "/api/v1/register/verify", { email: user.email, code: wrongCode }),
      ),
    );
    expect(guesses.every((g) => g.status === 400 && code(g.body) === "INVALID_VERIFICATION_CODE")).toBe(true);
    const [row] = await live.t.query<{ attempts: number }>(
      sql`SELECT c.attempts FROM one_time_codes c JOIN users u ON u.id = c.user_id WHERE u.email = ${user.email}`,
    );
    expect(row?.attempts).toBe(5);
    const burned = await live.call("POST", "/api/v1/register/verify", { email: user.email, code: right });
    expect(burned.status).toBe(400);
    // The burned code answers like an address without an account (request ids aside).
    const unknown = await live.call("POST", "/api/v1/register/verify", { email: `nobody-${user.email}`, code: right });
    const withoutId = (body: Json) => ({ ...body, error: { ...(body.error as Json), request_id: undefined } });
    expect([burned.status, withoutId(burned.body)]).toEqual([unknown.status, withoutId(unknown.body)]);
  });

  it("resend replaces the code, answers unknown addresses alike, and limits with 429 + retry_after", async () => {
    const { user, mail } = await register();
    const old = secretsIn(mail);
    const resent = await live.call("POST", "/api/v1/register/resend", { email: user.email });
    const unknown = await live.call("POST", "/api/v1/register/resend", { email: `nobody-${user.email}` });
    expect(resent.status).toBe(200);
    expect([unknown.status, unknown.body]).toEqual([resent.status, resent.body]);
    const fresh = secretsIn(await live.smtp.waitForMail(user.email, 2));
    const limited = await live.call("POST", "/api/v1/register/resend", { email: user.email });
    expect(limited.status).toBe(429);
    expect(limited.body).toMatchObject({
      error: { code: "RATE_LIMIT_EXCEEDED", details: { retry_after: expect.any(Number) } },
    });
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
    for (const stale of [{ email: user.email, code: old.code }, { token: old.token }]) {
      const response = await live.call("POST", "/api/v1/register/verify", stale);
      expect([response.status, code(response.body)]).toEqual([400, "INVALID_VERIFICATION_CODE"]);
    }
    const ok = await live.call("POST", "/api/v1/register/verify", { email: user.email, code: fresh.code });
    expect(ok.status).toBe(200);
  });

  it("an expired registration answers 410, frees its email and username, and registers again", async () => {
    const { user, mail, response } = await register();
    const oldId = data(response.body).id as string;
    const past = new Date(Date.now() - 25 * 3_600_000).toISOString();
    await live.t.query(sql`UPDATE users SET created_at = ${past} WHERE id = ${oldId}`);
    await live.t.query(sql`UPDATE one_time_codes SET expires_at = ${past} WHERE user_id = ${oldId}`);
    const expired = await live.call("POST", "/api/v1/register/verify", {
      email: user.email,
      code: secretsIn(mail).code,
    });
    expect([expired.status, code(expired.body)]).toEqual([410, "VERIFICATION_EXPIRED"]);
    const check = await live.call("POST", "/api/v1/register/check-email", { email: user.email });
    expect(data(check.body)).toEqual({ available: true });
    // Past the address's mail cooldown (the per-address throttle), as a day later would be.
    await live.t.query(sql`UPDATE mail_throttle SET sent_at = sent_at - interval '2 minutes'`);
    const again = await register(user);
    const newId = data(again.response.body).id;
    expect(newId).not.toBe(oldId);
    expect(await live.t.query(sql`SELECT 1 FROM users WHERE id = ${oldId}`)).toEqual([]);
    const verified = await live.call("POST", "/api/v1/register/verify", { token: secretsIn(again.mail).token });
    expect(data(verified.body)).toMatchObject({ id: newId, status: "active" });
    const taken = await live.call("POST", "/api/v1/register/check-email", { email: user.email });
    expect(data(taken.body)).toEqual({ available: false });
  });

  it("resets a password: 202 alike for unknown addresses, every session revoked, no login, single use", async () => {
    const user = await activeUser();
    const first = await logIn(user);
    const second = await logIn(user);
    const known = await live.call("POST", "/api/v1/auth/forgot-password", { email: user.email });
    const unknown = await live.call("POST", "/api/v1/auth/forgot-password", { email: `nobody-${user.email}` });
    expect(known.status).toBe(202);
    expect([unknown.status, unknown.body]).toEqual([known.status, known.body]);
    const mail = await live.smtp.waitForMail(user.email, 2);
    expect(mail.subject.toLowerCase()).toContain("password");
    const { token, code: resetCode } = secretsIn(mail);

    const weak = await live.call("POST", "/api/v1/auth/reset-password", { token, new_password: "short" });
    expect([weak.status, code(weak.body)]).toEqual([400, "VALIDATION_ERROR"]);
    const same = await live.call("POST", "/api/v1/auth/reset-password", { token, new_password: user.password });
    expect(same.body).toMatchObject({ error: { code: "VALIDATION_ERROR", details: [{ field: "new_password" }] } });

    const reset = await live.call("POST", "/api/v1/auth/reset-password", {
      email: user.email,
      code: resetCode,
      new_password: "Brand-New-Pass-7",
    });
    expect(reset.status).toBe(200);
    expect(reset.body).not.toHaveProperty("data"); // no automatic login
    for (const session of [first, second]) {
      const me = await live.call("GET", "/api/v1/auth/me", undefined, session.access_token);
      expect([me.status, code(me.body)]).toEqual([401, "SESSION_REVOKED"]);
      const refresh = await live.call("POST", "/api/v1/auth/refresh", { refresh_token: session.refresh_token });
      expect(refresh.status).toBe(401);
    }
    const replay = await live.call("POST", "/api/v1/auth/reset-password", { token, new_password: "Other-New-Pass-8" });
    expect([replay.status, code(replay.body)]).toEqual([400, "INVALID_RESET_TOKEN"]);
    const oldLogin = await live.call("POST", "/api/v1/auth/login", { email: user.email, password: user.password });
    expect(oldLogin.status).toBe(401);
    await logIn({ email: user.email, password: "Brand-New-Pass-7" });
    const changed = await live.smtp.waitForMail(user.email, 3);
    expect(changed.text).not.toMatch(/\b\d{6}\b/);
    const audit = await live.t.query<{ action: string }>(
      sql`SELECT a.action FROM audit_logs a JOIN users u ON u.id = a.user_id
          WHERE u.email = ${user.email} AND a.action LIKE 'auth.password_reset%' ORDER BY a.timestamp`,
    );
    expect(audit.map((row) => row.action)).toEqual(
      expect.arrayContaining(["auth.password_reset_requested", "auth.password_reset"]),
    );
  });

  it("a newer reset request invalidates the older link", async () => {
    const user = await activeUser();
    await live.call("POST", "/api/v1/auth/forgot-password", { email: user.email });
    const older = secretsIn(await live.smtp.waitForMail(user.email, 2));
    await live.t.query(sql`UPDATE mail_throttle SET sent_at = sent_at - interval '2 minutes'`);
    await live.call("POST", "/api/v1/auth/forgot-password", { email: user.email });
    const newer = secretsIn(await live.smtp.waitForMail(user.email, 3));
    const stale = await live.call("POST", "/api/v1/auth/reset-password", {
      token: older.token,
      new_password: "Brand-New-Pass-7",
    });
    expect([stale.status, code(stale.body)]).toEqual([400, "INVALID_RESET_TOKEN"]);
    const fresh = await live.call("POST", "/api/v1/auth/reset-password", {
      token: newer.token,
      new_password: "Brand-New-Pass-7",
    });
    expect(fresh.status).toBe(200);
  });

  it("changes profile fields and, after confirmation by the new address, the login email", async () => {
    const user = await activeUser();
    const other = await activeUser();
    const { access_token: token } = await logIn(user);
    const unknownField = await live.call("PUT", "/api/v1/users/me", { full_name: "Ada", role: "admin" }, token);
    expect([unknownField.status, code(unknownField.body)]).toEqual([400, "VALIDATION_ERROR"]);
    const clash = await live.call("PUT", "/api/v1/users/me", { username: other.username.toUpperCase() }, token);
    expect([clash.status, code(clash.body)]).toEqual([409, "DUPLICATE_USERNAME"]);
    const profile = await live.call(
      "PUT",
      "/api/v1/users/me",
      { full_name: "Ada Lovelace", phone_number: "+44 20 7946 0000" },
      token,
    );
    expect(data(profile.body)).toMatchObject({
      full_name: "Ada Lovelace",
      phone_number: "+44 20 7946 0000",
      pending_email: null,
    });

    const newEmail = `new-${user.email}`;
    const noPassword = await live.call("PUT", "/api/v1/users/me", { email: newEmail }, token);
    expect([noPassword.status, code(noPassword.body)]).toEqual([400, "VALIDATION_ERROR"]);
    const wrongPassword = await live.call(
      "PUT",
      "/api/v1/users/me",
      { email: newEmail, current_password: "Nope-Nope-1" },
      token,
    );
    expect([wrongPassword.status, code(wrongPassword.body)]).toEqual([401, "INVALID_CREDENTIALS"]);
    const requested = await live.call(
      "PUT",
      "/api/v1/users/me",
      { email: newEmail, current_password: user.password },
      token,
    );
    expect(data(requested.body)).toMatchObject({ email: user.email, pending_email: newEmail });
    const notice = await live.smtp.waitForMail(user.email, 2);
    // The old mailbox learns only a masked form of the new address (its reader may be the attacker).
    expect(notice.text).not.toContain(newEmail);
    expect(notice.text).toContain("n***@e***.com");
    const { code: emailCode } = secretsIn(await live.smtp.waitForMail(newEmail));
    const early = await live.call("POST", "/api/v1/auth/login", { email: newEmail, password: user.password });
    expect(early.status).toBe(401);

    const otherToken = (await logIn(other)).access_token;
    const foreign = await live.call("POST", "/api/v1/users/me/email/verify", { code: emailCode }, otherToken);
    expect([foreign.status, code(foreign.body)]).toEqual([400, "INVALID_VERIFICATION_CODE"]);
    const confirmed = await live.call("POST", "/api/v1/users/me/email/verify", { code: emailCode }, token);
    expect(data(confirmed.body)).toMatchObject({ email: newEmail });
    await logIn({ email: newEmail, password: user.password });
    const oldAddress = await live.call("POST", "/api/v1/auth/login", { email: user.email, password: user.password });
    expect(oldAddress.status).toBe(401);
  });
});

describe("approval and enumeration protection over HTTP", () => {
  let live: LiveServer;
  beforeAll(async () => {
    live = await startLiveServer({ REQUIRE_ADMIN_APPROVAL: "true", ENUMERATION_PROTECTION: "true" });
  });
  afterAll(async () => {
    await live.close();
  });

  it("moves a verified user to pending_approval, where login answers 403 ACCOUNT_PENDING_APPROVAL", async () => {
    const user = uniqueUser();
    await live.call("POST", "/api/v1/register", user);
    const { token } = secretsIn(await live.smtp.waitForMail(user.email));
    const verified = await live.call("POST", "/api/v1/register/verify", { token });
    expect(data(verified.body)).toMatchObject({ status: "pending_approval" });
    const login = await live.call("POST", "/api/v1/auth/login", { email: user.email, password: user.password });
    expect([login.status, code(login.body)]).toEqual([403, "ACCOUNT_PENDING_APPROVAL"]);
  });

  it("answers a taken email like a new registration and mails the owner; check-email does not exist", async () => {
    const owner = uniqueUser();
    const first = await live.call("POST", "/api/v1/register", owner);
    await live.smtp.waitForMail(owner.email);
    // Past the address's mail cooldown, so the per-address throttle lets the owner's notice out.
    await live.t.query(sql`UPDATE mail_throttle SET sent_at = sent_at - interval '2 minutes'`);
    const intruder = { ...uniqueUser(), email: owner.email };
    const second = await live.call("POST", "/api/v1/register", intruder);
    expect(second.status).toBe(first.status);
    expect(second.body.message).toBe(first.body.message);
    expect(Object.keys(data(second.body)).sort()).toEqual(Object.keys(data(first.body)).sort());
    expect(data(second.body)).toMatchObject({ email: owner.email, status: "pending_verification" });
    const attempt = await live.smtp.waitForMail(owner.email, 2);
    expect(attempt.text).not.toMatch(/\b\d{6}\b/);
    const check = await live.call("POST", "/api/v1/register/check-email", { email: owner.email });
    expect([check.status, code(check.body)]).toEqual([404, "NOT_FOUND"]);
  });
});
