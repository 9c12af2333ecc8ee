import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LiveResponse, type LiveServer, secretsIn, startLiveServer } from "./support/live-server.js";
import { sql, uniqueUser } from "./support/test-server.js";

type Json = Record<string, unknown>;
const FLOOR_MS = 250;

/** The answer without its request id, which differs on every call. */
function comparable(response: LiveResponse) {
  const error = response.body.error as Json | undefined;
  return { status: response.status, body: { ...response.body, error: error && { ...error, request_id: "…" } } };
}

async function timed(call: () => Promise<LiveResponse>): Promise<{ response: LiveResponse; ms: number }> {
  const started = performance.now();
  const response = await call();
  return { response, ms: performance.now() - started };
}

// Burned one-time codes were an oracle: only an address with an account has a code to burn.
describe.each(["false", "true"])(
  "burned codes tell nothing about accounts (ENUMERATION_PROTECTION=%s)",
  (protection) => {
    let live: LiveServer;
    beforeAll(async () => {
      live = await startLiveServer({
        ENUMERATION_PROTECTION: protection,
        MAIL_REQUEST_RESPONSE_FLOOR_MS: String(FLOOR_MS),
      });
    });
    afterAll(async () => {
      await live.close();
    });

    async function activeUser() {
      const user = uniqueUser("enum");
      expect((await live.call("POST", "/api/v1/register", user)).status).toBe(201);
      const mail = await live.smtp.waitForMail(user.email, 1);
      expect((await live.call("POST", "/api/v1/register/verify", { token: secretsIn(mail).token })).status).toBe(200);
      return user;
    }

    it("reset enumeration: the sixth code for a known account answers like any code for an unknown one, no sooner than the floor", async () => {
      const user = await activeUser();
      await live.call("POST", "/api/v1/auth/forgot-password", { email: user.email });
      const { code: right } = secretsIn(await live.smtp.waitForMail(user.email, 2));
      const wrong = right === "000000" ? "000001" : "000000";
      const reset = (email: string, code: string) => () =>
        live.call("POST", "/api/v1/auth/reset-password", { email, code, new_password: "Brand-New-Pass-7" });
      const known: Array<{ response: LiveResponse; ms: number }> = [];
      const unknown: Array<{ response: LiveResponse; ms: number }> = [];
      for (let i = 0; i < 6; i += 1) {
        known.push(await timed(reset(user.email, i === 5 ? right : wrong)));
        unknown.push(await timed(reset(`nobody-${user.email}`, i === 5 ? right : wrong)));
      }
      for (const answer of [...known, ...unknown]) {
        expect(comparable(answer.response)).toEqual(comparable(unknown[0]?.response as LiveResponse));
        expect(answer.response.status).toBe(400);
        expect(answer.ms).toBeGreaterThanOrEqual(FLOOR_MS - 5);
      }
      expect(JSON.stringify(known[5]?.response.body)).not.toContain("attempts_exhausted");

      // The burned code does not lock the owner out: a new request gives a working code.
      await live.t.query(sql`UPDATE mail_throttle SET sent_at = sent_at - interval '2 minutes'`);
      expect((await live.call("POST", "/api/v1/auth/forgot-password", { email: user.email })).status).toBe(202);
      const fresh = secretsIn(await live.smtp.waitForMail(user.email, 3));
      const used = await live.call("POST", "/api/v1/auth/reset-password", {
        email: user.email,
        code: fresh.code,
        new_password: "Brand-New-Pass-7",
      });
      expect(used.status).toBe(200);
    });

    it("verify enumeration: a burned code of a pending account answers like an unknown address, no sooner than the floor", async () => {
      const user = uniqueUser("pending");
      expect((await live.call("POST", "/api/v1/register", user)).status).toBe(201);
      const { code: right } = secretsIn(await live.smtp.waitForMail(user.email, 1));
      const wrong = right === "000000" ? "000001" : "000000";
      const verify = (email: string, code: string) => () =>
        live.call("POST", "/api/v1/register/verify", { email, code });
      for (let i = 0; i < 5; i += 1) await verify(user.email, wrong)();
      const burned = await timed(verify(user.email, right));
      const unknown = await timed(verify(`nobody-${user.email}`, right));
      expect(comparable(burned.response)).toEqual(comparable(unknown.response));
      expect(JSON.stringify(burned.response.body)).not.toContain("attempts_exhausted");
      for (const answer of [burned, unknown]) expect(answer.ms).toBeGreaterThanOrEqual(FLOOR_MS - 5);
    });
  },
);
