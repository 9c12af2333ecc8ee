import { DomainError } from "@gatehouse/domain";
import { describe, expect, it } from "vitest";
import { caught, FakeAccessTokens, FakeClock, FakeSessionRevocations } from "../testing/index.js";
import { makeAuthenticate } from "./authenticate.js";

async function setup() {
  const clock = new FakeClock();
  const accessTokens = new FakeAccessTokens(clock, 900);
  const revocations = new FakeSessionRevocations();
  const authenticate = makeAuthenticate({ accessTokens, revocations });
  const issued = await accessTokens.issue({ userId: "user-1", sid: "sid-1", roles: ["user"], permissions: [] });
  return { clock, accessTokens, revocations, authenticate, token: issued.token };
}

describe("authenticate", () => {
  it("returns the verified claims of a valid token", async () => {
    const { authenticate, token, clock } = await setup();
    const claims = await authenticate(token);
    expect(claims).toMatchObject({
      sub: "user-1",
      sid: "sid-1",
      roles: ["user"],
      permissions: [],
      iat: clock.now().getTime() / 1000,
      exp: clock.now().getTime() / 1000 + 900,
    });
  });

  it("refuses a token whose session was revoked with SESSION_REVOKED", async () => {
    const { authenticate, token, revocations } = await setup();
    await revocations.revoke(["sid-1"]);
    const error = await caught(() => authenticate(token));
    expect(error).toBeInstanceOf(DomainError);
    expect(error).toMatchObject({ code: "SESSION_REVOKED" });
  });

  it("is not affected by the revocation of another session", async () => {
    const { authenticate, token, revocations } = await setup();
    await revocations.revoke(["sid-2"]);
    await expect(authenticate(token)).resolves.toMatchObject({ sid: "sid-1" });
  });

  it("passes the verifier's INVALID_TOKEN through", async () => {
    const { authenticate } = await setup();
    await expect(authenticate("forged")).rejects.toMatchObject({ code: "INVALID_TOKEN" });
  });

  it("passes the verifier's TOKEN_EXPIRED through", async () => {
    const { authenticate, token, clock } = await setup();
    clock.advanceSeconds(900);
    await expect(authenticate(token)).rejects.toMatchObject({ code: "TOKEN_EXPIRED" });
  });

  it("does not consult the revocation list for a token that fails verification", async () => {
    let asked = 0;
    const authenticate = makeAuthenticate({
      accessTokens: {
        verify: async () => {
          throw new DomainError("INVALID_TOKEN", "bad");
        },
      },
      revocations: {
        isRevoked: async () => {
          asked += 1;
          return false;
        },
      },
    });
    await expect(authenticate("x")).rejects.toBeInstanceOf(DomainError);
    expect(asked).toBe(0);
  });
});
