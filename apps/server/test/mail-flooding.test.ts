import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LiveServer, secretsIn, startLiveServer } from "./support/live-server.js";
import { sql, uniqueUser } from "./support/test-server.js";

// Every mail a request can cause goes through one per-address throttle (RESEND_COOLDOWN_SECONDS,
// RESEND_MAX_PER_DAY), over real HTTP with a real SMTP server.
describe("mail flooding through the per-address throttle", () => {
  let live: LiveServer;
  beforeAll(async () => {
    live = await startLiveServer({ ENUMERATION_PROTECTION: "true" });
  });
  afterAll(async () => {
    await live.close();
  });

  /** Waits until the outbox holds no due mail, so every queued mail reached the SMTP server. */
  async function drained(): Promise<void> {
    for (let i = 0; i < 100; i += 1) {
      const [row] = await live.t.query<{ n: number }>(
        sql`SELECT count(*)::int AS n FROM mail_outbox WHERE status = 'pending'`,
      );
      if (row?.n === 0) return;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error("outbox not drained");
  }

  it("eight registrations with someone's address send the owner one mail, not eight", async () => {
    const victim = uniqueUser("victim");
    expect((await live.call("POST", "/api/v1/register", victim)).status).toBe(201);
    await live.smtp.waitForMail(victim.email, 1);
    // The registration's own mail is past the cooldown.
    await live.t.query(sql`UPDATE mail_throttle SET sent_at = sent_at - interval '2 minutes'`);
    for (let i = 0; i < 8; i += 1) {
      const again = await live.call("POST", "/api/v1/register", { ...uniqueUser("flood"), email: victim.email });
      expect(again.status).toBe(201);
    }
    await drained();
    expect(live.smtp.mailsTo(victim.email)).toHaveLength(2); // the verification and one attempt notice
  });

  it("four email changes to a third party's address within seconds send it one mail", async () => {
    const attacker = uniqueUser("changer");
    expect((await live.call("POST", "/api/v1/register", attacker)).status).toBe(201);
    const mail = await live.smtp.waitForMail(attacker.email, 1);
    expect((await live.call("POST", "/api/v1/register/verify", { token: secretsIn(mail).token })).status).toBe(200);
    const login = await live.call("POST", "/api/v1/auth/login", { email: attacker.email, password: attacker.password });
    const token = (login.body.data as { access_token: string }).access_token;
    const thirdParty = `third-party-${attacker.email}`;
    for (let i = 0; i < 4; i += 1) {
      const change = await live.call(
        "PUT",
        "/api/v1/users/me",
        { email: thirdParty, current_password: attacker.password },
        token,
      );
      expect(change.status).toBe(200);
    }
    await drained();
    expect(live.smtp.mailsTo(thirdParty)).toHaveLength(1);
  });
});
