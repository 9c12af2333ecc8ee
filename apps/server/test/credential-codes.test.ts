import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LiveServer, secretsIn, startLiveServer } from "./support/live-server.js";
import { testDatabaseKinds, uniqueUser } from "./support/test-server.js";

type Json = Record<string, unknown>;
const code = (body: Json) => (body.error as Json | undefined)?.code;

// One-time codes die with the credentials they protect: a change of email, password or status
// revokes the outstanding codes it makes unsafe in the same transaction (the user writer does
// it), over real HTTP with a real SMTP server, on PostgreSQL too when configured.
describe.each(testDatabaseKinds())("codes end with the credentials they protect, on %s", (kind) => {
  let live: LiveServer;
  beforeAll(async () => {
    live = await startLiveServer({ RESEND_COOLDOWN_SECONDS: "0" }, kind);
  });
  afterAll(async () => {
    await live.close();
  });

  async function activeUser() {
    const user = uniqueUser("codes");
    expect((await live.call("POST", "/api/v1/register", user)).status).toBe(201);
    const mail = await live.smtp.waitForMail(user.email, 1);
    expect((await live.call("POST", "/api/v1/register/verify", { token: secretsIn(mail).token })).status).toBe(200);
    const login = await live.call("POST", "/api/v1/auth/login", { email: user.email, password: user.password });
    return { user, token: (login.body.data as { access_token: string }).access_token };
  }

  async function resetSecrets(email: string, mailsBefore: number) {
    expect((await live.call("POST", "/api/v1/auth/forgot-password", { email })).status).toBe(202);
    return secretsIn(await live.smtp.waitForMail(email, mailsBefore + 1));
  }

  it("account takeover through the old mailbox: a reset link mailed before an email change no longer resets the password", async () => {
    const { user, token } = await activeUser();
    const reset = await resetSecrets(user.email, live.smtp.mailsTo(user.email).length);
    const newEmail = `moved-${user.email}`;
    const requested = await live.call(
      "PUT",
      "/api/v1/users/me",
      { email: newEmail, current_password: user.password },
      token,
    );
    expect(requested.status).toBe(200);
    const { code: emailCode } = secretsIn(await live.smtp.waitForMail(newEmail, 1));
    expect((await live.call("POST", "/api/v1/users/me/email/verify", { code: emailCode }, token)).status).toBe(200);

    const byLink = await live.call("POST", "/api/v1/auth/reset-password", {
      token: reset.token,
      new_password: "Attacker-Pass-77",
    });
    expect([byLink.status, code(byLink.body)]).toEqual([400, "INVALID_RESET_TOKEN"]);
    const byCode = await live.call("POST", "/api/v1/auth/reset-password", {
      email: newEmail,
      code: reset.code,
      new_password: "Attacker-Pass-77",
    });
    expect([byCode.status, code(byCode.body)]).toEqual([400, "INVALID_RESET_TOKEN"]);
    const login = await live.call("POST", "/api/v1/auth/login", { email: newEmail, password: user.password });
    expect(login.status).toBe(200);
  });

  it("a reset code issued before a password change dies with the old password", async () => {
    const { user, token } = await activeUser();
    const reset = await resetSecrets(user.email, live.smtp.mailsTo(user.email).length);
    const changed = await live.call(
      "PATCH",
      "/api/v1/users/me/password",
      { current_password: user.password, new_password: "Owner-New-Pass-8" },
      token,
    );
    expect(changed.status).toBe(200);
    const stale = await live.call("POST", "/api/v1/auth/reset-password", {
      token: reset.token,
      new_password: "Attacker-Pass-77",
    });
    expect([stale.status, code(stale.body)]).toEqual([400, "INVALID_RESET_TOKEN"]);
    // A fresh request after the change still works: the owner is not locked out.
    await live.smtp.waitForMail(user.email, 3); // verification, reset, "password changed"
    const fresh = await resetSecrets(user.email, 3);
    const used = await live.call("POST", "/api/v1/auth/reset-password", {
      token: fresh.token,
      new_password: "Owner-Newer-Pass-9",
    });
    expect(used.status).toBe(200);
  });

  it("an email change requested with a stolen password dies when the owner changes the password", async () => {
    const { user, token } = await activeUser();
    const attackerEmail = `attacker-${user.email}`;
    const requested = await live.call(
      "PUT",
      "/api/v1/users/me",
      { email: attackerEmail, current_password: user.password },
      token,
    );
    expect(requested.status).toBe(200);
    const { code: emailCode, token: linkToken } = secretsIn(await live.smtp.waitForMail(attackerEmail, 1));
    const changed = await live.call(
      "PATCH",
      "/api/v1/users/me/password",
      { current_password: user.password, new_password: "Owner-New-Pass-8", sign_out_other_sessions: false },
      token,
    );
    expect(changed.status).toBe(200);
    const byCode = await live.call("POST", "/api/v1/users/me/email/verify", { code: emailCode }, token);
    expect([byCode.status, code(byCode.body)]).toEqual([400, "INVALID_VERIFICATION_CODE"]);
    const byLink = await live.call("POST", "/api/v1/users/me/email/verify", { token: linkToken }, token);
    expect(byLink.status).toBe(400);
  });

  it("the email-change notice to the old address does not reveal the new address", async () => {
    const { user, token } = await activeUser();
    const before = live.smtp.mailsTo(user.email).length;
    const newEmail = `secret-new-address-${user.email}`;
    await live.call("PUT", "/api/v1/users/me", { email: newEmail, current_password: user.password }, token);
    const notice = await live.smtp.waitForMail(user.email, before + 1);
    expect(`${notice.subject}\n${notice.text}\n${notice.html}`).not.toContain(newEmail);
    expect(notice.text).not.toContain("secret-new-address");
    expect(notice.text).toContain("s***@e***.com");
  });
});
