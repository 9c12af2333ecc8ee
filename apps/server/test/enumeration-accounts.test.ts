import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LiveResponse, type LiveServer, secretsIn, startLiveServer } from "./support/live-server.js";
import { sql, uniqueUser } from "./support/test-server.js";

type Json = Record<string, unknown>;
const FLOOR_MS = 250;

function withoutRequestId(response: LiveResponse) {
  const error = response.body.error as Json | undefined;
  return { status: response.status, body: { ...response.body, error: error && { ...error, request_id: "…" } } };
}

// With ENUMERATION_PROTECTION, follow-up requests after a registration or during an email change
// must not tell an address with an account from one without.
describe("account enumeration through follow-up requests (ENUMERATION_PROTECTION=true)", () => {
  let live: LiveServer;
  beforeAll(async () => {
    live = await startLiveServer({
      ENUMERATION_PROTECTION: "true",
      MAIL_REQUEST_RESPONSE_FLOOR_MS: String(FLOOR_MS),
      REGISTER_RESPONSE_FLOOR_MS: String(FLOOR_MS),
    });
  });
  afterAll(async () => {
    await live.close();
  });

  async function activeUser(prefix: string) {
    const user = uniqueUser(prefix);
    expect((await live.call("POST", "/api/v1/register", user)).status).toBe(201);
    const mail = await live.smtp.waitForMail(user.email, 1);
    expect((await live.call("POST", "/api/v1/register/verify", { token: secretsIn(mail).token })).status).toBe(200);
    const login = await live.call("POST", "/api/v1/auth/login", { email: user.email, password: user.password });
    return { user, token: (login.body.data as { access_token: string }).access_token };
  }

  it("register-then-login enumeration: logging in with the password just registered answers alike for a taken and a new address", async () => {
    const { user: owner } = await activeUser("owner");
    const probe = { ...uniqueUser("probe"), password: "Probe-Pass-123" };
    expect((await live.call("POST", "/api/v1/register", { ...probe, email: owner.email })).status).toBe(201);
    const taken = await live.call("POST", "/api/v1/auth/login", { email: owner.email, password: probe.password });
    const fresh = uniqueUser("fresh");
    expect((await live.call("POST", "/api/v1/register", fresh)).status).toBe(201);
    const created = await live.call("POST", "/api/v1/auth/login", { email: fresh.email, password: fresh.password });
    expect(withoutRequestId(created)).toEqual(withoutRequestId(taken));
    expect(created.status).toBe(401);
    expect(JSON.stringify(created.body)).not.toContain("ACCOUNT_NOT_VERIFIED");
    // Once verified, the new account signs in as usual.
    const { code } = secretsIn(await live.smtp.waitForMail(fresh.email, 1));
    expect((await live.call("POST", "/api/v1/register/verify", { email: fresh.email, code })).status).toBe(200);
    expect(
      (await live.call("POST", "/api/v1/auth/login", { email: fresh.email, password: fresh.password })).status,
    ).toBe(200);
  });

  it("duplicate-username enumeration: registering with a taken username answers alike for a taken and a free email, no sooner than the floor", async () => {
    const { user: owner } = await activeUser("owner");
    const { user: known } = await activeUser("known");
    const attempt = async (email: string) => {
      const started = performance.now();
      const response = await live.call("POST", "/api/v1/register", {
        ...uniqueUser("dup"),
        username: known.username,
        email,
      });
      return { response, ms: performance.now() - started };
    };
    const taken = await attempt(owner.email);
    const free = await attempt(`free-${owner.email}`);
    expect(withoutRequestId(taken.response)).toEqual(withoutRequestId(free.response));
    expect([taken.response.status, (taken.response.body.error as Json).code]).toEqual([409, "DUPLICATE_USERNAME"]);
    for (const { ms } of [taken, free]) expect(ms).toBeGreaterThanOrEqual(FLOOR_MS - 5);
    // The attempt on the taken address is for its owner to hear of (the mail goes through the
    // address's throttle, here still in the cooldown of the verification mail), not the caller.
    const noticed = await live.t.query<{ n: number }>(
      sql`SELECT count(*)::int AS n FROM audit_logs a JOIN users u ON u.id = a.resource_id
          WHERE a.action = 'auth.register_existing_email' AND u.email = ${owner.email}`,
    );
    expect(noticed[0]?.n).toBe(1);
    expect(live.smtp.mailsTo(`free-${owner.email}`)).toHaveLength(0);
  });

  it("email-change enumeration: PUT /users/me to a taken address answers like a free one, no sooner than the floor", async () => {
    const { user: holder } = await activeUser("holder");
    const { user, token } = await activeUser("mover");
    const change = async (email: string) => {
      const started = performance.now();
      const response = await live.call("PUT", "/api/v1/users/me", { email, current_password: user.password }, token);
      return { response, ms: performance.now() - started };
    };
    const taken = await change(holder.email);
    const free = await change(`free-${user.email}`);
    for (const { response, ms } of [taken, free]) {
      expect(response.status).toBe(200);
      expect(Object.keys(response.body.data as Json).sort()).toEqual(
        Object.keys(free.response.body.data as Json).sort(),
      );
      expect(ms).toBeGreaterThanOrEqual(FLOOR_MS - 5);
    }
    expect((taken.response.body.data as Json).pending_email).toBe(holder.email);
    expect(taken.response.body.message).toBe(free.response.body.message);
    // The holder's mailbox gets no code, and the taken address never becomes this account's.
    await live.smtp.waitForMail(`free-${user.email}`, 1);
    expect(live.smtp.mailsTo(holder.email)).toHaveLength(1);
  });
});
