import type { HeldKeycloakSession, KeycloakSessionStore, KeycloakTokenSet } from "@gatehouse/domain";
import { describe, expect, it } from "vitest";
import { makeKeycloakSessionGuard } from "./keycloak-session-guard.js";

const NOW = new Date("2026-01-01T00:00:00Z");
const tokens = (refreshToken: string): KeycloakTokenSet => ({
  subject: "kc-1",
  refreshToken,
  refreshExpiresAt: null,
  accessExpiresAt: new Date(NOW.getTime() + 300_000),
  sessionId: "sid",
});

function setUp(accessInSeconds: number, answer: KeycloakTokenSet | undefined) {
  const rows = new Map<string, HeldKeycloakSession>([
    [
      "f1",
      {
        familyId: "f1",
        userId: "u1",
        refreshToken: "rt-1",
        accessExpiresAt: new Date(NOW.getTime() + accessInSeconds * 1000),
      },
    ],
  ]);
  const asked: string[] = [];
  const store: KeycloakSessionStore = {
    find: async (id) => rows.get(id),
    renew: async (id, t) => {
      const row = rows.get(id);
      if (row !== undefined) rows.set(id, { ...row, refreshToken: t.refreshToken, accessExpiresAt: t.accessExpiresAt });
    },
    forget: async (id) => {
      rows.delete(id);
    },
  };
  const guard = makeKeycloakSessionGuard({
    store,
    signIn: {
      refresh: async (rt) => {
        asked.push(rt);
        return answer;
      },
    },
    clock: { now: () => NOW },
    bufferSeconds: 30,
  });
  return { guard, rows, asked };
}

describe("the Keycloak session guard of the refresh path", () => {
  it("passes a session without a held Keycloak session, asking nobody", async () => {
    const { guard, asked } = setUp(300, undefined);
    expect(await guard({ familyId: "other", userId: "u1" })).toBe(true);
    expect(asked).toEqual([]);
  });

  it("does not ask Keycloak while its access token is far from lapsing", async () => {
    const { guard, asked } = setUp(300, undefined);
    expect(await guard({ familyId: "f1", userId: "u1" })).toBe(true);
    expect(asked).toEqual([]);
  });

  it("near expiry, renews the held session with Keycloak's new refresh token", async () => {
    const { guard, rows, asked } = setUp(10, tokens("rt-2"));
    expect(await guard({ familyId: "f1", userId: "u1" })).toBe(true);
    expect(asked).toEqual(["rt-1"]);
    expect(rows.get("f1")?.refreshToken).toBe("rt-2");
  });

  it("a session Keycloak refuses ends the Gatehouse session and is forgotten", async () => {
    const { guard, rows } = setUp(10, undefined);
    expect(await guard({ familyId: "f1", userId: "u1" })).toBe(false);
    expect(rows.has("f1")).toBe(false);
  });
});
