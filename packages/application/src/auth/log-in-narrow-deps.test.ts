import type { TransactionalRepositories, UnitOfWork } from "@gatehouse/domain";
import { describe, expect, it } from "vitest";
import {
  credentialFailuresOn,
  FakeAccessTokens,
  FakeClock,
  FakeMfa,
  FakeOpaqueTokens,
  FakePasswordHasher,
  InMemoryDatabase,
  PASSWORD_POLICY,
  REFRESH_POLICY,
  requestContext,
  sessionsOnly,
} from "../testing/index.js";
import { makeLogIn } from "./log-in.js";

type LogInRepositories = Pick<TransactionalRepositories, "refreshTokens" | "auditLog" | "deviceTokens" | "users">;

/**
 * Guards the dependency width of login: another team wiring `makeLogIn` must be able to hand it a
 * unit of work that offers only the refresh tokens, device tokens, the audit log and the user rows
 * (hash upgrades), and login must never reach
 * for a repository outside them (the unit of work below has nothing else, so such a reach fails).
 */
describe("makeLogIn's unit of work", () => {
  it("signs in with a unit of work offering only what login writes", async () => {
    const clock = new FakeClock();
    const db = new InMemoryDatabase(clock);
    const touched: string[] = [];
    const narrow: UnitOfWork<LogInRepositories> = {
      run: (work) =>
        db.uow.run((tx) => {
          const only: LogInRepositories = {
            refreshTokens: tx.refreshTokens,
            auditLog: tx.auditLog,
            deviceTokens: tx.deviceTokens,
            users: tx.users,
          };
          const guarded = new Proxy(only, {
            get(target, key) {
              touched.push(String(key));
              return Reflect.get(target, key);
            },
          });
          return work(guarded);
        }),
    };
    const logIn = sessionsOnly(
      makeLogIn({
        mfa: new FakeMfa(),
        users: db.users,
        uow: narrow,
        hasher: new FakePasswordHasher(),
        opaqueTokens: new FakeOpaqueTokens(),
        accessTokens: new FakeAccessTokens(clock, 900),
        clock,
        passwordPolicy: PASSWORD_POLICY,
        refreshPolicy: REFRESH_POLICY,
        credentialFailures: credentialFailuresOn(db.deviceTokens, clock, { rule: { limit: 3, windowSeconds: 900 } }),
        deviceTokenTtlSeconds: 90 * 86_400,
      }),
    );
    const password = "Tr1cky-Fjord-Lantern-88";
    db.seedUser({ email: "alice@example.com", username: "alice", passwordHash: FakePasswordHasher.hashOf(password) });

    const result = await logIn({ email: "alice@example.com", password }, requestContext(clock));
    await expect(logIn({ email: "alice@example.com", password: "wrong" }, requestContext(clock))).rejects.toThrow();

    expect(result.tokens.refreshToken).toBeTruthy();
    expect(db.allRefreshTokens()).toHaveLength(1);
    // The fake hasher's hashes are current, so no upgrade reaches for `users`.
    expect(new Set(touched)).toEqual(new Set(["refreshTokens", "auditLog", "deviceTokens"]));
  });
});
