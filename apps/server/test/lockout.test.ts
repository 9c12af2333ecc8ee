import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { errorCode } from "./support/http.js";
import { sql, startTestServer, type TestServer, testDatabaseKinds, uniqueUser } from "./support/test-server.js";

type Json = Record<string, unknown>;

interface Attempt {
  readonly ip: string;
  readonly cookie?: string;
  readonly deviceToken?: string;
  readonly token?: string;
}

/** One request from `from.ip`, optionally carrying a device cookie, a device header or a bearer token. */
async function call(
  t: TestServer,
  method: "POST" | "GET" | "PATCH" | "DELETE",
  url: string,
  from: Attempt,
  payload?: Json,
) {
  const headers: Record<string, string> = {};
  if (from.cookie !== undefined) headers.cookie = `theme=dark; gh_device=${from.cookie}`;
  if (from.deviceToken !== undefined) headers["x-device-token"] = from.deviceToken;
  if (from.token !== undefined) headers.authorization = `Bearer ${from.token}`;
  const response = await t.app.inject({
    method,
    url,
    remoteAddress: from.ip,
    headers,
    ...(payload === undefined ? {} : { payload }),
  });
  return { status: response.statusCode, headers: response.headers, body: response.json() as Json };
}

const login = (t: TestServer, email: string, password: string, from: Attempt) =>
  call(t, "POST", "/api/v1/auth/login", from, { email, password });

/**
 * What a client can see of an answer, request ids aside; the seconds to wait rounded to ten, as
 * the known and the unknown account are attacked a moment apart on a real clock.
 */
function visible(response: Awaited<ReturnType<typeof call>>) {
  const { error, ...rest } = response.body as Json & { error?: Json & { details?: Json } };
  const { request_id: _id, details, ...shown } = error ?? {};
  const roughly = (seconds: unknown) => (seconds === undefined ? undefined : Math.round(Number(seconds) / 10) * 10);
  const { retry_after, ...otherDetails } = details ?? {};
  return {
    status: response.status,
    retryAfter: roughly(response.headers["retry-after"]),
    body: { ...rest, error: { ...shown, details: { ...otherDetails, retry_after: roughly(retry_after) } } },
  };
}

const OWNER = { ip: "198.51.100.20" };
const attacker = (i: number) => ({ ip: `203.0.${i % 250}.66` });
const BUDGET = 10;

describe.each(testDatabaseKinds())("lockout that cannot be weaponised, over HTTP (%s)", (kind) => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer(
      { RATE_LIMIT_LOGIN_FAILURES_REQUESTS: String(BUDGET), LOGIN_DELAY_MAX_SECONDS: "30" },
      kind,
    );
  });
  afterAll(async () => {
    await t?.close();
  });

  async function owner() {
    const user = uniqueUser("lock");
    expect((await call(t, "POST", "/api/v1/auth/register", OWNER, user)).status).toBe(201);
    const first = await login(t, user.email, user.password, OWNER);
    expect(first.status).toBe(200);
    const data = first.body.data as { device_token: string; access_token: string };
    return { user, device: data.device_token, accessToken: data.access_token, cookie: first.headers["set-cookie"] };
  }

  /** `count` wrong passwords for `email`, each from a network of its own (no delay applies). */
  async function attack(email: string, count: number, offset = 0) {
    const answers = [];
    for (let i = 0; i < count; i++)
      answers.push(visible(await login(t, email, `Wrong-Guess-${i}`, attacker(i + offset))));
    return answers;
  }

  it("hands out a device token as an HttpOnly SameSite=Strict cookie and in the body, never in a URL", async () => {
    const { device, cookie } = await owner();
    expect(device).toMatch(/^[A-Za-z0-9_-]{20,}$/);
    expect(cookie).toBe(`gh_device=${device}; Path=/api/v1; Max-Age=${90 * 86_400}; HttpOnly; SameSite=Strict`);
    const [row] = await t.query<{ token_hash: string }>(
      sql`SELECT token_hash FROM device_tokens ORDER BY created_at DESC LIMIT 1`,
    );
    expect(row?.token_hash).not.toContain(device);
  });

  it("regression: 10 wrong logins from an attacker do not lock the owner out on their known device", async () => {
    const { user, device } = await owner();
    const answers = await attack(user.email, BUDGET + 1);
    expect(answers.slice(0, BUDGET).map((a) => a.status)).toEqual(Array(BUDGET).fill(401));
    // The untrusted budget still refuses the attacker (and every new device) with Retry-After.
    expect(answers[BUDGET]).toMatchObject({ status: 429, retryAfter: 900 });
    expect((await login(t, user.email, user.password, attacker(99))).status).toBe(429);
    // Before the fix this was 429 too: the owner was locked out on their own laptop.
    const viaCookie = await login(t, user.email, user.password, { ...OWNER, cookie: device });
    expect(viaCookie.status).toBe(200);
    // Rotation: the cookie's token is spent; the API client uses the new one in the header.
    const rotated = (viaCookie.body.data as { device_token: string }).device_token;
    expect(rotated).not.toBe(device);
    expect((await login(t, user.email, user.password, { ...OWNER, deviceToken: rotated })).status).toBe(200);
    expect((await login(t, user.email, user.password, { ...OWNER, cookie: device })).status).toBe(429);
  });

  it("regression: the owner is mailed once per lockout window, pointing at the forgot-password page", async () => {
    const { user } = await owner();
    await attack(user.email, BUDGET + 6);
    const mails = await t.query<{ template: string; payload: { resetLink: string } }>(
      sql`SELECT template, payload FROM mail_outbox WHERE recipient = ${user.email} AND template = 'account-locked'`,
    );
    expect(mails).toHaveLength(1);
    expect(mails[0]?.payload.resetLink).toMatch(/\/forgot-password$/);
    expect(mails[0]?.payload.resetLink).not.toContain("token");
  });

  it("regression: an unknown account gets the same answers as a known one (no enumeration by the lockout)", async () => {
    const { user } = await owner();
    const known = await attack(user.email, BUDGET + 2, 100);
    const unknown = await attack(`nobody-${Date.now()}@example.com`, BUDGET + 2, 100);
    expect(unknown).toEqual(known);
  });

  it("regression: 50 parallel wrong attempts evaluate at most the budget", async () => {
    const { user } = await owner();
    const answers = await Promise.all(
      Array.from({ length: 50 }, (_, i) => login(t, user.email, `Wrong-Guess-${i}`, { ip: `192.0.${i}.9` })),
    );
    const statuses = answers.map((a) => a.status);
    expect(statuses.filter((s) => s === 401)).toHaveLength(BUDGET);
    expect(statuses.filter((s) => s === 429)).toHaveLength(50 - BUDGET);
  });

  it("delays untrusted failures per (account, network) progressively, capped at 30 s", async () => {
    const { user, device } = await owner();
    const waits: number[] = [];
    for (let i = 0; i < 8; i++) {
      const answer = await login(t, user.email, `Wrong-Guess-${i}`, { ip: `100.64.7.${i + 1}` });
      if (answer.status === 429) {
        waits.push(Number(answer.headers["retry-after"]));
        expect(errorCode(answer.body)).toBe("RATE_LIMIT_EXCEEDED");
        t.clock.advance(Number(answer.headers["retry-after"]));
      } else expect(answer.status).toBe(401);
    }
    expect(waits.length).toBeGreaterThanOrEqual(2);
    expect(Math.max(...waits)).toBeLessThanOrEqual(30);
    expect(waits.at(-1)).toBeGreaterThan(waits[0] ?? 0);
    // Another network of the same attacker is not slowed by this one's failures; the owner's device never is.
    expect((await login(t, user.email, "Wrong-Guess-x", { ip: "100.65.0.1" })).status).toBe(401);
    expect((await login(t, user.email, user.password, { ip: "100.64.7.1", deviceToken: device })).status).toBe(200);
  });

  it("lists the known devices with the sessions, forgets one on request and all on sign-out everywhere", async () => {
    const { user, device, accessToken } = await owner();
    const listed = await call(t, "GET", "/api/v1/auth/sessions", { ...OWNER, token: accessToken });
    const devices = (listed.body.data as { devices: Array<{ id: string; ip_address: string }> }).devices;
    expect(devices).toHaveLength(1);
    expect(devices[0]?.ip_address).toBe(OWNER.ip);
    expect(JSON.stringify(listed.body)).not.toContain(device);
    const id = devices[0]?.id ?? "";
    const url = `/api/v1/auth/sessions/devices/${id}`;
    expect((await call(t, "DELETE", url, { ...OWNER, token: accessToken })).status).toBe(200);
    expect((await call(t, "DELETE", url, { ...OWNER, token: accessToken })).status).toBe(404);
    // Forgotten: its failures are untrusted again, so the tripped budget refuses it.
    await attack(user.email, BUDGET);
    expect((await login(t, user.email, user.password, { ...OWNER, deviceToken: device })).status).toBe(429);
  });

  it("the in-session password prompt on a known device is not locked by an attacker's failures", async () => {
    const { user, device, accessToken } = await owner();
    await attack(user.email, BUDGET);
    const changed = await call(
      t,
      "PATCH",
      "/api/v1/users/me/password",
      { ...OWNER, token: accessToken, deviceToken: device },
      {
        current_password: user.password,
        new_password: "Tr1cky-Fjord-Lantern-88",
      },
    );
    expect(changed.status).toBe(200);
    // A password change forgets every device: the old token no longer counts as known.
    const [row] = await t.query<{ live: number }>(
      sql`SELECT count(*)::int AS live FROM device_tokens d JOIN users u ON u.id = d.user_id
          WHERE u.email = ${user.email} AND d.revoked_at IS NULL`,
    );
    expect(row?.live).toBe(0);
  });
});

describe("the device cookie behind a TLS-terminating proxy", () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer({ TRUST_PROXY: "loopback" });
  });
  afterAll(async () => {
    await t?.close();
  });

  it("is Secure when the request came over TLS, so it never travels in clear text", async () => {
    const user = uniqueUser("tls");
    expect((await call(t, "POST", "/api/v1/auth/register", { ip: "127.0.0.1" }, user)).status).toBe(201);
    const response = await t.app.inject({
      method: "POST",
      url: "/api/v1/auth/login",
      headers: { "x-forwarded-proto": "https", "x-forwarded-for": "198.51.100.30" },
      payload: { email: user.email, password: user.password },
    });
    expect(response.statusCode).toBe(200);
    expect(response.headers["set-cookie"]).toMatch(/; HttpOnly; SameSite=Strict; Secure$/);
  });
});
