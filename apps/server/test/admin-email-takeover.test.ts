import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LiveServer, secretsIn, startLiveServer } from "./support/live-server.js";
import { sql, testDatabaseKinds, uniqueUser } from "./support/test-server.js";

type Json = Record<string, unknown>;
const data = (body: Json) => body.data as Json;
const code = (body: Json) => (body.error as Json | undefined)?.code;

// Attack: an admin set a user's email to an address the admin reads, ran forgot/reset with the
// code mailed there and signed in as the user. Now an admin-set email is only a pending change
// (unless the admin holds users:write_email): the sign-in email stays, a reset for the new
// address mails nothing, and the change code is useless without the user's own session.
// Real HTTP, a real SMTP server, real PostgreSQL when configured.
describe.each(testDatabaseKinds())("admin-set email cannot take over an account, on %s", (kind) => {
  let live: LiveServer;
  beforeAll(async () => {
    live = await startLiveServer({ RESEND_COOLDOWN_SECONDS: "0", REQUIRE_EMAIL_VERIFICATION: "false" }, kind);
  });
  afterAll(async () => {
    await live.close();
  });

  async function signedIn(role: string | null, prefix: string) {
    const user = uniqueUser(prefix);
    expect((await live.call("POST", "/api/v1/register", user)).status).toBe(201);
    if (role !== null) {
      await live.t.query(
        sql`INSERT INTO user_roles (user_id, role_id) SELECT u.id, r.id FROM users u, roles r WHERE u.email = ${user.email} AND r.name = ${role}`,
      );
    }
    const login = await live.call("POST", "/api/v1/auth/login", { email: user.email, password: user.password });
    expect(login.status).toBe(200);
    const session = data(login.body) as { access_token: string; user: { id: string } };
    return { ...user, token: session.access_token, id: session.user.id };
  }

  it("an admin sets a user's email, then forgot/reset with the new address: no reset code, no takeover", async () => {
    const admin = await signedIn("admin", "admin");
    const victim = await signedIn(null, "victim");
    const attackerMailbox = `attacker-${victim.email}`;
    const set = await live.call("PUT", `/api/v1/admin/users/${victim.id}`, { email: attackerMailbox }, admin.token);
    expect(set.status, JSON.stringify(set.body)).toBe(200);
    expect(data(set.body)).toMatchObject({ email: victim.email, pending_email: attackerMailbox });
    const changeMail = await live.smtp.waitForMail(attackerMailbox, 1);
    // The owner hears of it at the old address, the new one shown only masked.
    const notice = await live.smtp.waitForMail(victim.email, 1);
    expect(notice.text).not.toContain(attackerMailbox);

    expect((await live.call("POST", "/api/v1/auth/forgot-password", { email: attackerMailbox })).status).toBe(202);
    expect((await live.call("POST", "/api/v1/auth/forgot-password", { email: victim.email })).status).toBe(202);
    await live.smtp.waitForMail(victim.email, 2);
    // The reset went to the owner's address only; the attacker's mailbox holds just the change code.
    expect(live.smtp.mailsTo(attackerMailbox)).toHaveLength(1);

    // The change code does nothing from the admin's session, and the sign-in email is unchanged.
    const { code: changeCode } = secretsIn(changeMail);
    const foreign = await live.call("POST", "/api/v1/users/me/email/verify", { code: changeCode }, admin.token);
    expect([foreign.status, code(foreign.body)]).toEqual([400, "INVALID_VERIFICATION_CODE"]);
    const asAttacker = await live.call("POST", "/api/v1/auth/login", {
      email: attackerMailbox,
      password: victim.password,
    });
    expect(asAttacker.status).toBe(401);
    expect(
      (await live.call("POST", "/api/v1/auth/login", { email: victim.email, password: victim.password })).status,
    ).toBe(200);

    // The owner, from their own session, makes the address theirs (the admin's legitimate use).
    const confirmed = await live.call("POST", "/api/v1/users/me/email/verify", { code: changeCode }, victim.token);
    expect(confirmed.status).toBe(200);
    expect(data(confirmed.body)).toMatchObject({ email: attackerMailbox });
  });

  it("a super_admin (users:write_email) sets the sign-in email at once", async () => {
    const root = await signedIn("super_admin", "root");
    const user = await signedIn(null, "moved");
    const newEmail = `new-${user.email}`;
    const set = await live.call("PUT", `/api/v1/admin/users/${user.id}`, { email: newEmail }, root.token);
    expect(data(set.body)).toMatchObject({ email: newEmail, pending_email: null });
    expect((await live.call("POST", "/api/v1/auth/login", { email: newEmail, password: user.password })).status).toBe(
      200,
    );
  });
});
