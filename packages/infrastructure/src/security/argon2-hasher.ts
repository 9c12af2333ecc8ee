import { availableParallelism } from "node:os";
import { DomainError, type PasswordHasher } from "@gatehouse/domain";
import { type Algorithm, hash, type Options, verify } from "@node-rs/argon2";
import type { Argon2Pool } from "./argon2-pool.js";
import { recogniseHash } from "./imported-hash-formats.js";
import { QueueFullError, Semaphore } from "./semaphore.js";

/** Password hashing: argon2id, 19 MiB, 2 iterations, parallelism 1, 16-byte salt, 32-byte hash. */
export const DEFAULT_ARGON2_OPTIONS: Options = {
  // `Algorithm` is an ambient const enum, which isolated modules cannot read; 2 is Argon2id.
  algorithm: 2 as Algorithm.Argon2id,
  memoryCost: 19_456,
  timeCost: 2,
  parallelism: 1,
  outputLen: 32,
};

export interface Argon2HasherOptions {
  /** Hashes allowed in flight at once; defaults to the number of cores. */
  readonly maxConcurrency?: number;
  /**
   * Hashes allowed to wait for a slot (`LOGIN_QUEUE_MAX`); one more is refused at once with
   * 503 `SERVICE_UNAVAILABLE` and `retry_after` (`LOGIN_QUEUE_RETRY_AFTER_SECONDS`, sent as
   * `Retry-After`), so an overload sheds instead of growing latency without bound. Default: unbounded.
   */
  readonly maxQueued?: number;
  readonly retryAfterSeconds?: number;
  readonly argon2?: Options;
  /**
   * Worker threads (at a lower priority than the event loop) that run every argon2 hash and
   * verify; without one they run on libuv's thread pool at the event loop's priority.
   */
  readonly pool?: Argon2Pool;
}

/**
 * argon2id off the event loop (on the given worker pool, else libuv's thread pool); imported
 * hashes are verified by the registry in `imported-hash-formats.ts` under the same gate. A
 * semaphore keeps at most one hash per core in flight, so a login flood queues here instead of
 * starving every other request of CPU and of thread-pool slots.
 */
export function makeArgon2Hasher(
  options: Argon2HasherOptions = {},
): PasswordHasher & { readonly gate: Semaphore; ready(): Promise<void>; close(): Promise<void> } {
  const argon2 = options.argon2 ?? DEFAULT_ARGON2_OPTIONS;
  const pool = options.pool;
  const hashNow = (password: string) => (pool ? pool.hash(password, argon2) : hash(password, argon2));
  const verifyArgon2 = (stored: string, password: string) =>
    pool ? pool.verify(stored, password) : verify(stored, password).catch(() => false);
  const gate = new Semaphore(options.maxConcurrency ?? availableParallelism(), options.maxQueued);
  const retryAfter = options.retryAfterSeconds ?? 1;
  // The same refusal for every caller (known account, unknown account, registration): it
  // depends on the queue only, so it tells nothing about the account.
  const shed = <T>(task: () => Promise<T>): Promise<T> =>
    gate.run(task).catch((error: unknown) => {
      if (error instanceof QueueFullError) {
        throw new DomainError("SERVICE_UNAVAILABLE", "Too many sign-ins at once; retry shortly", {
          retry_after: retryAfter,
        });
      }
      throw error;
    });
  // Verified against when the account does not exist, so that path costs a real verify too.
  // Computed at once: made lazily, the first unknown-account login after a start would also
  // pay for the hash and stand out by its timing.
  const dummyHash = gate.run(() => hashNow("gatehouse-dummy-password-for-timing"));
  // Regression: a process that closed the pool before this hash finished (the worker's cleanup
  // run) died of the unhandled rejection. Whoever awaits it later still sees the failure.
  dummyHash.catch(() => undefined);

  return {
    gate,
    ready: async () => {
      await Promise.all([dummyHash, pool?.ready()]);
    },
    close: async () => {
      await pool?.close();
    },
    hash: (password) => shed(() => hashNow(password)),
    async verify(password, storedHash) {
      // A stored value in no known format (an account created without a password) costs a full
      // verify too, so its timing does not tell such accounts apart. Imported formats (bcrypt,
      // scrypt, PBKDF2…) cost what their own parameters say until the first login re-hashes them.
      const recognised = storedHash === undefined ? undefined : recogniseHash(storedHash);
      if (recognised === undefined || storedHash === undefined) {
        const target = await dummyHash;
        await shed(() => verifyArgon2(target, password));
        return false;
      }
      // Argon2 hashes (ours and imported ones) go to the pool; other formats keep their own verifier.
      if (recognised.argon2 !== undefined) return shed(() => verifyArgon2(storedHash, password));
      return shed(() => recognised.verify(password));
    },
    formatOf: (stored) => recogniseHash(stored)?.format,
    needsRehash(stored) {
      const current = recogniseHash(stored)?.argon2;
      if (current === undefined || current.variant !== "argon2id" || current.version !== 19) return true;
      return (
        current.memoryCost < (argon2.memoryCost ?? 0) ||
        current.timeCost < (argon2.timeCost ?? 0) ||
        current.outputLen < (argon2.outputLen ?? 0)
      );
    },
  };
}
