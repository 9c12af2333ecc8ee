import { describe, expect, it } from "vitest";
import { DomainError } from "../errors/domain-error.js";
import {
  type AccountStatus,
  AccountStatuses,
  assertTransition,
  canTransition,
  sessionBlockedError,
} from "./account-status.js";

const ALLOWED: ReadonlyArray<readonly [AccountStatus, AccountStatus]> = [
  ["pending_verification", "pending_approval"],
  ["pending_verification", "active"],
  ["pending_approval", "active"],
  ["active", "suspended"],
  ["active", "deactivated"],
  ["suspended", "active"],
  ["deactivated", "active"],
];

const isAllowed = (from: AccountStatus, to: AccountStatus) => ALLOWED.some(([f, t]) => f === from && t === to);

const FORBIDDEN: Array<readonly [AccountStatus, AccountStatus]> = AccountStatuses.flatMap((from) =>
  AccountStatuses.filter((to) => !isAllowed(from, to)).map((to) => [from, to] as const),
);

function caught(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error("expected the call to throw");
}

describe("account-status state machine", () => {
  it("lists the five statuses of the lifecycle", () => {
    expect([...AccountStatuses]).toEqual([
      "pending_verification",
      "pending_approval",
      "active",
      "suspended",
      "deactivated",
    ]);
  });

  it.each(ALLOWED)("allows %s → %s", (from, to) => {
    expect(canTransition(from, to)).toBe(true);
    expect(() => assertTransition(from, to)).not.toThrow();
  });

  it("forbids every pair that is not an edge, including staying in the same status", () => {
    // 5 × 5 pairs minus the 7 edges.
    expect(FORBIDDEN).toHaveLength(18);
    for (const [from, to] of FORBIDDEN) {
      expect(canTransition(from, to), `${from} → ${to}`).toBe(false);
    }
  });

  it.each([
    ["active", "pending_verification"],
    ["active", "pending_approval"],
    ["suspended", "deactivated"],
    ["deactivated", "suspended"],
    ["pending_approval", "pending_verification"],
    ["pending_verification", "suspended"],
    ["active", "active"],
  ] as const)("assertTransition(%s → %s) throws INVALID_STATUS_TRANSITION", (from, to) => {
    const error = caught(() => assertTransition(from, to));
    expect(error).toBeInstanceOf(DomainError);
    expect(error).toMatchObject({
      name: "DomainError",
      code: "INVALID_STATUS_TRANSITION",
      details: { from, to },
    });
    expect((error as DomainError).message).toContain(from);
    expect((error as DomainError).message).toContain(to);
  });

  it("throws for every forbidden pair", () => {
    for (const [from, to] of FORBIDDEN) {
      expect(() => assertTransition(from, to), `${from} → ${to}`).toThrow(DomainError);
    }
  });
});

describe("sessionBlockedError", () => {
  it("lets an active user hold a session", () => {
    expect(sessionBlockedError("active")).toBeUndefined();
  });

  it.each([
    ["pending_verification", "ACCOUNT_NOT_VERIFIED"],
    ["pending_approval", "ACCOUNT_PENDING_APPROVAL"],
    ["suspended", "ACCOUNT_SUSPENDED"],
    ["deactivated", "ACCOUNT_DEACTIVATED"],
  ] as const)("blocks %s with %s", (status, code) => {
    const error = sessionBlockedError(status);
    expect(error).toBeInstanceOf(DomainError);
    expect(error?.code).toBe(code);
    expect(error?.message).not.toBe("");
  });

  it("returns a fresh error each time", () => {
    expect(sessionBlockedError("suspended")).not.toBe(sessionBlockedError("suspended"));
  });
});
