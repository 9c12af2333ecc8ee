import { expect, it } from "vitest";
import type { TransactionalRepositories, UnitOfWork } from "../ports/unit-of-work.js";
import type { NewUser } from "../user/user.js";

/** One adapter under a contract: its repositories outside any transaction, its unit of work. */
export interface ContractHarness {
  readonly repos: TransactionalRepositories;
  readonly uow: UnitOfWork;
  close(): Promise<void>;
}

/** Opens a fresh store for one contract suite (a private database, a new fake). */
export type OpenHarness = () => Promise<ContractHarness>;

export interface ContractOptions {
  /**
   * Methods this adapter declines (the in-memory fake leaves out what no unit test needs):
   * their cases check instead that the method says so ("unsupported in the fake").
   */
  readonly unsupported?: readonly string[];
}

import { UNSUPPORTED_IN_FAKE } from "./unsupported.js";

export { UNSUPPORTED_IN_FAKE };

/**
 * A contract case for `method` of the port `target()` returns, or, when the adapter declines the
 * method, the check that it says so (`UNSUPPORTED_IN_FAKE`) when called with `probe`.
 */
export function caseFor<T extends object>(
  options: ContractOptions,
  target: () => T,
  method: keyof T & string,
  title: string,
  body: () => Promise<void>,
  probe: readonly unknown[],
): void {
  if (!options.unsupported?.includes(method)) {
    it(title, body);
    return;
  }
  it(`${title} (declined: ${method})`, async () => {
    const port = target();
    const call = port[method] as (...args: unknown[]) => Promise<unknown>;
    await expect(call.apply(port, [...probe])).rejects.toThrow(UNSUPPORTED_IN_FAKE);
  });
}

let counter = 0;

/** A user to create, unique within the run. */
export function newUserInput(overrides: Partial<NewUser> = {}): NewUser {
  counter += 1;
  const unique = `${Math.random().toString(36).slice(2, 8)}${counter}`;
  return {
    username: `user_${unique}`,
    email: `user_${unique}@example.com`,
    passwordHash: "$argon2id$fake",
    fullName: null,
    phoneNumber: null,
    status: "active",
    emailVerifiedAt: null,
    ...overrides,
  };
}
