import type { DomainError, RequestContext } from "@gatehouse/domain";
import { describe, expect, it } from "vitest";
import { makeChangePassword } from "../account/change-password.js";
import { makeRevokeDevice } from "../account/devices.js";
import {
  caught,
  credentialFailuresOn,
  FAILURE_BUDGET,
  FakeAccessTokens,
  FakeCache,
  FakeClock,
  FakeMfa,
  FakeOneTimeSecrets,
  FakeOpaqueTokens,
  FakePasswordHasher,
  FakeSessionRevocations,
  InMemoryDatabase,
  LIFECYCLE_POLICY,
  PASSWORD_POLICY,
  REFRESH_POLICY,
  requestContext,
  sessionsOnly,
} from "../testing/index.js";
import { makeLockoutNotice } from "./lockout-notice.js";
import { makeLogIn } from "./log-in.js";
import { makeLogOut } from "./log-out.js";

const PASSWORD = "Passw0rd!";
const OWNER_IP = "198.51.100.20";
const ATTACKER_IP = "203.0.113.66";

function setup(options: { delays?: boolean } = {}) {
  const clock = new FakeClock();
  const db = new InMemoryDatabase(clock);
  const hasher = new FakePasswordHasher();
  const secrets = new FakeOneTimeSecrets();
  const notice = makeLockoutNotice({ users: db.users, uow: db.uow, clock, secrets, policy: LIFECYCLE_POLICY });
  const credentialFailures = credentialFailuresOn(db.deviceTokens, clock, {
    onUntrustedExhausted: notice,
    ...(options.delays ? { delays: undefined } : {}),
  });
  const common = { users: db.users, uow: db.uow, hasher, credentialFailures, clock, passwordPolicy: PASSWORD_POLICY };
  const afterChange = { revocations: new FakeSessionRevocations(), cache: new FakeCache(clock) };
  const alice = db.seedUser({ email: "alice@example.com", username: "alice" });
  const logIn = sessionsOnly(
    makeLogIn({
      mfa: new FakeMfa(),
      ...common,
      opaqueTokens: new FakeOpaqueTokens(),
      accessTokens: new FakeAccessTokens(clock, 900),
      refreshPolicy: REFRESH_POLICY,
      deviceTokenTtlSeconds: 90 * 86_400,
    }),
  );
  const from = (ipAddress: string, deviceToken?: string): RequestContext =>
    requestContext(clock, { ipAddress, ...(deviceToken === undefined ? {} : { deviceToken }) });
  return {
    db,
    hasher,
    alice,
    clock,
    from,
    logIn,
    changePassword: makeChangePassword({ ...common, ...afterChange }),
    logOut: makeLogOut({ uow: db.uow, clock, opaqueTokens: new FakeOpaqueTokens(), ...afterChange }),
    revokeDevice: makeRevokeDevice({ uow: db.uow, clock }),
    /** The owner signs in once from their laptop and keeps the device token. */
    async ownerDevice(): Promise<string> {
      const result = await logIn({ email: "alice@example.com", password: PASSWORD }, from(OWNER_IP));
      return result.device?.token ?? "";
    },
    /** `count` wrong guesses at `email`, each from its own network unless `ip` is given. */
    async attack(count: number, email = "alice@example.com", ip?: string): Promise<string[]> {
      const answers: string[] = [];
      for (let i = 0; i < count; i++) {
        const ctx = from(ip ?? `203.0.${i % 250}.66`);
        answers.push(codeOf(await caught(() => logIn({ email, password: `guess-${i}` }, ctx))));
      }
      return answers;
    },
  };
}

const codeOf = (error: unknown) => (error as DomainError).code;
const budget = FAILURE_BUDGET.limit;

describe("lockout that cannot be weaponised (device tokens)", () => {
  it("regression: 10 wrong logins from an attacker do not lock the owner out on their known device", async () => {
    const t = setup();
    const laptop = await t.ownerDevice();
    expect(await t.attack(budget)).toEqual(Array(budget).fill("INVALID_CREDENTIALS"));
    // Before the fix the one per-account budget was spent: the owner got 429 here, right password or not.
    const owner = await t.logIn({ email: "alice@example.com", password: PASSWORD }, t.from(OWNER_IP, laptop));
    expect(owner.user.id).toBe(t.alice.id);
  });

  it("regression: the tripped untrusted budget still refuses the attacker, right password included, unevaluated", async () => {
    const t = setup();
    await t.ownerDevice();
    await t.attack(budget);
    const evaluated = t.hasher.verifyCalls.length;
    const guessed = await caught(() =>
      t.logIn({ email: "alice@example.com", password: PASSWORD }, t.from(ATTACKER_IP)),
    );
    expect(guessed).toMatchObject({ code: "RATE_LIMIT_EXCEEDED", details: { retry_after: 900, limit: budget } });
    expect(t.hasher.verifyCalls).toHaveLength(evaluated);
  });

  it("regression: a known device's wrong passwords spend only that device's budget", async () => {
    const t = setup();
    const laptop = await t.ownerDevice();
    const stolen = await t.ownerDevice();
    for (let i = 0; i < budget; i++) {
      await caught(() => t.logIn({ email: "alice@example.com", password: `typo-${i}` }, t.from(OWNER_IP, stolen)));
    }
    const spent = await caught(() =>
      t.logIn({ email: "alice@example.com", password: "typo" }, t.from(OWNER_IP, stolen)),
    );
    expect(codeOf(spent)).toBe("RATE_LIMIT_EXCEEDED");
    await expect(
      t.logIn({ email: "alice@example.com", password: PASSWORD }, t.from(OWNER_IP, laptop)),
    ).resolves.toBeDefined();
    await expect(
      t.logIn({ email: "alice@example.com", password: PASSWORD }, t.from(ATTACKER_IP)),
    ).resolves.toBeDefined();
  });

  it("regression: 50 parallel wrong attempts from 50 networks evaluate at most the budget", async () => {
    const t = setup({ delays: true });
    const answers = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        caught(() => t.logIn({ email: "alice@example.com", password: `guess-${i}` }, t.from(`192.0.${i}.9`))),
      ),
    );
    expect(t.hasher.verifyCalls.length).toBeLessThanOrEqual(budget);
    expect(answers.map(codeOf).filter((code) => code === "INVALID_CREDENTIALS")).toHaveLength(budget);
  });

  it("regression: the owner is mailed once per lockout window, with a link to reset the password", async () => {
    const t = setup();
    await t.attack(budget + 5);
    const notices = t.db.queuedMail().filter((mail) => mail.template === "account-locked");
    expect(notices).toEqual([
      {
        to: "alice@example.com",
        template: "account-locked",
        data: { username: "alice", resetLink: `${LIFECYCLE_POLICY.publicBaseUrl}/forgot-password` },
      },
    ]);
    expect(notices[0]?.data).not.toHaveProperty("token");
  });

  it("regression: an unknown account answers exactly like a known one, and nobody is mailed (no enumeration)", async () => {
    const t = setup();
    const known = await t.attack(budget + 2, "alice@example.com");
    const unknown = await t.attack(budget + 2, "nobody@example.com");
    expect(unknown).toEqual(known);
    expect(known.slice(budget)).toEqual(["RATE_LIMIT_EXCEEDED", "RATE_LIMIT_EXCEEDED"]);
    const refusal = async (email: string) =>
      ((await caught(() => t.logIn({ email, password: "x" }, t.from(ATTACKER_IP)))) as DomainError).details;
    expect(await refusal("nobody@example.com")).toEqual(await refusal("alice@example.com"));
    expect(t.db.queuedMail().filter((mail) => mail.to === "nobody@example.com")).toEqual([]);
  });

  it("rotates the device token on each login: the presented one stops being trusted", async () => {
    const t = setup();
    const first = await t.ownerDevice();
    const again = await t.logIn({ email: "alice@example.com", password: PASSWORD }, t.from(OWNER_IP, first));
    const second = again.device?.token ?? "";
    expect(second).not.toBe(first);
    const now = t.clock.now();
    expect(await t.db.deviceTokens.findLive(FakeOpaqueTokens.hashOf(first), now)).toBeUndefined();
    expect((await t.db.deviceTokens.findLive(FakeOpaqueTokens.hashOf(second), now))?.userId).toBe(t.alice.id);
    await t.attack(budget);
    const stale = await caught(() =>
      t.logIn({ email: "alice@example.com", password: PASSWORD }, t.from(OWNER_IP, first)),
    );
    expect(codeOf(stale)).toBe("RATE_LIMIT_EXCEEDED");
  });

  it("regression: another account's device token does not make a client trusted", async () => {
    const t = setup();
    t.db.seedUser({ email: "mallory@example.com", username: "mallory" });
    const mallorys = await t.logIn({ email: "mallory@example.com", password: PASSWORD }, t.from(ATTACKER_IP));
    await t.attack(budget);
    const ctx = t.from(ATTACKER_IP, mallorys.device?.token);
    expect(codeOf(await caught(() => t.logIn({ email: "alice@example.com", password: "g" }, ctx)))).toBe(
      "RATE_LIMIT_EXCEEDED",
    );
  });

  it("revokes a device on request, on sign-out everywhere and on a password change", async () => {
    const t = setup();
    const laptop = await t.ownerDevice();
    const [device] = await t.db.deviceTokens.listLive(t.alice.id, t.clock.now());
    await t.revokeDevice({ userId: t.alice.id, deviceId: device?.id ?? "" }, t.from(OWNER_IP));
    expect(await t.db.deviceTokens.listLive(t.alice.id, t.clock.now())).toEqual([]);
    expect(
      codeOf(await caught(() => t.revokeDevice({ userId: t.alice.id, deviceId: device?.id ?? "" }, t.from(OWNER_IP)))),
    ).toBe("NOT_FOUND");
    expect(laptop).not.toBe("");

    const session = await t.logIn({ email: "alice@example.com", password: PASSWORD }, t.from(OWNER_IP));
    await t.logOut({ userId: t.alice.id, sessionId: session.tokens.sessionId, allDevices: true }, t.from(OWNER_IP));
    expect(await t.db.deviceTokens.listLive(t.alice.id, t.clock.now())).toEqual([]);

    const next = await t.logIn({ email: "alice@example.com", password: PASSWORD }, t.from(OWNER_IP));
    await t.changePassword(
      {
        userId: t.alice.id,
        sessionId: next.tokens.sessionId,
        currentPassword: PASSWORD,
        newPassword: "Tr1cky-Fjord-Lantern-88",
        signOutOtherSessions: false,
      },
      t.from(OWNER_IP, next.device?.token),
    );
    expect(await t.db.deviceTokens.listLive(t.alice.id, t.clock.now())).toEqual([]);
  });

  it("the password prompt inside a session spends the device's budget, not the account's untrusted one", async () => {
    const t = setup();
    const laptop = await t.ownerDevice();
    const session = await t.logIn({ email: "alice@example.com", password: PASSWORD }, t.from(OWNER_IP, laptop));
    const device = session.device?.token;
    const change = (currentPassword: string, ctx: RequestContext) =>
      caught(() =>
        t.changePassword(
          {
            userId: t.alice.id,
            sessionId: session.tokens.sessionId,
            currentPassword,
            newPassword: "Tr1cky-Fjord-Lantern-88",
            signOutOtherSessions: false,
          },
          ctx,
        ),
      );
    for (let i = 0; i < budget; i++) await change(`typo-${i}`, t.from(OWNER_IP, device));
    expect(codeOf(await change("typo", t.from(OWNER_IP, device)))).toBe("RATE_LIMIT_EXCEEDED");
    // The untrusted budget is untouched: a login from a new device still works.
    await expect(
      t.logIn({ email: "alice@example.com", password: PASSWORD }, t.from(ATTACKER_IP)),
    ).resolves.toBeDefined();
  });

  it("delays untrusted failures per (account, network) with a capped Retry-After; other networks and known devices are not slowed", async () => {
    const t = setup({ delays: true });
    const laptop = await t.ownerDevice();
    const sameNetwork = await t.attack(4, "alice@example.com", "203.0.113.66");
    expect(sameNetwork.slice(0, 3)).toEqual(Array(3).fill("INVALID_CREDENTIALS"));
    const delayed = await caught(() => t.logIn({ email: "alice@example.com", password: "g" }, t.from("203.0.113.99")));
    expect(delayed).toMatchObject({ code: "RATE_LIMIT_EXCEEDED" });
    expect((delayed as DomainError<"RATE_LIMIT_EXCEEDED">).details).toMatchObject({ retry_after: 2 });
    const evaluated = t.hasher.verifyCalls.length;
    expect(
      codeOf(await caught(() => t.logIn({ email: "alice@example.com", password: "g" }, t.from("198.18.0.1")))),
    ).toBe("INVALID_CREDENTIALS");
    expect(t.hasher.verifyCalls).toHaveLength(evaluated + 1);
    await expect(
      t.logIn({ email: "alice@example.com", password: PASSWORD }, t.from("203.0.113.66", laptop)),
    ).resolves.toBeDefined();
  });
});

describe("networkOf", () => {
  it("keys IPv4 by its /24 and IPv6 by its /64, mapped IPv4 like IPv4", async () => {
    const { networkOf } = await import("./credential-attempts.js");
    expect(networkOf("203.0.113.66")).toBe("203.0.113.0/24");
    expect(networkOf("::ffff:203.0.113.7")).toBe("203.0.113.0/24");
    expect(networkOf("2001:db8:1:2:3:4:5:6")).toBe("2001:db8:1:2::/64");
    expect(networkOf("2001:db8::1")).toBe("2001:db8:0:0::/64");
    expect(networkOf("2001:0db8:0000:0002::9")).toBe(networkOf("2001:db8:0:2:ffff::1"));
    expect(networkOf(null)).toBe("unknown");
  });
});
