import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";
import type { Options } from "@node-rs/argon2";

/**
 * The worker's whole program. It is evaluated (`eval: true`) rather than loaded from a file, so
 * the same pool runs from `dist/` and from the TypeScript sources under vitest; it requires
 * argon2 by the absolute path the parent resolved.
 *
 * The first thing it does is lower its own thread's scheduling priority: on Linux the nice value
 * is per thread, and `setPriority(0, n)` from a worker applies to that worker's thread only. A
 * hash then takes the CPU the event loop leaves idle and never the other way round, so token
 * checks and every other request keep their latency while logins saturate every core.
 */
const WORKER_PROGRAM = `
const { parentPort, workerData } = require("node:worker_threads");
const { setPriority, getPriority } = require("node:os");
const argon2 = require(workerData.argon2Path);
let nice;
try { setPriority(0, workerData.nice); nice = getPriority(0); } catch { nice = undefined; }
parentPort.postMessage({ kind: "ready", nice });
parentPort.on("message", (task) => {
  if (task.op === "hash") {
    try { parentPort.postMessage({ kind: "done", id: task.id, value: argon2.hashSync(task.password, task.options) }); }
    catch (error) { parentPort.postMessage({ kind: "failed", id: task.id, message: String(error && error.message) }); }
  } else {
    let value = false;
    // A malformed stored hash is a failed verify, as with the asynchronous API's .catch(() => false).
    try { value = argon2.verifySync(task.hash, task.password); } catch { value = false; }
    parentPort.postMessage({ kind: "done", id: task.id, value });
  }
});
`;

type Task =
  | { readonly op: "hash"; readonly id: number; readonly password: string; readonly options: Options }
  | { readonly op: "verify"; readonly id: number; readonly password: string; readonly hash: string };
type Reply =
  | { readonly kind: "ready"; readonly nice: number | undefined }
  | { readonly kind: "done"; readonly id: number; readonly value: string | boolean }
  | { readonly kind: "failed"; readonly id: number; readonly message: string };

interface Pending {
  resolve(value: string | boolean): void;
  reject(error: Error): void;
}

interface Slot {
  worker: Worker;
  readonly pending: Map<number, Pending>;
  readonly ready: Promise<number | undefined>;
}

export interface Argon2Pool {
  hash(password: string, options: Options): Promise<string>;
  verify(hash: string, password: string): Promise<boolean>;
  /** Resolves once every worker runs, with each worker's nice value (undefined where refused). */
  ready(): Promise<ReadonlyArray<number | undefined>>;
  readonly size: number;
  /** The live workers, for diagnostics and tests. */
  workers(): readonly Worker[];
  close(): Promise<void>;
}

export interface Argon2PoolOptions {
  /** Worker threads; the caller's semaphore keeps at most this many hashes in flight. */
  readonly size: number;
  /** Nice value of each worker's thread (0 keeps the event loop's priority; 19 is the lowest). */
  readonly nice: number;
}

/**
 * argon2id on a small pool of worker threads at a lower scheduling priority than the event loop.
 * libuv's own thread pool cannot be reniced from JavaScript (its threads run no JavaScript and
 * are shared with file and DNS work), hence threads of our own. A worker that dies fails the hash
 * it was running (the caller answers 500) and is replaced; the pool holds the process open only
 * while a hash is in flight, so a CLI exits as soon as its work is done.
 */
export function makeArgon2Pool(options: Argon2PoolOptions): Argon2Pool {
  const argon2Path = createRequire(import.meta.url).resolve("@node-rs/argon2");
  let nextId = 0;
  let closed = false;
  let cursor = 0;

  const spawn = (): Slot => {
    const worker = new Worker(WORKER_PROGRAM, { eval: true, workerData: { argon2Path, nice: options.nice } });
    worker.unref();
    const pending = new Map<number, Pending>();
    let announce: (nice: number | undefined) => void = () => undefined;
    const slot: Slot = { worker, pending, ready: new Promise((resolve) => (announce = resolve)) };
    worker.on("message", (reply: Reply) => {
      if (reply.kind === "ready") return announce(reply.nice);
      const waiter = pending.get(reply.id);
      if (waiter === undefined) return;
      pending.delete(reply.id);
      if (pending.size === 0) worker.unref();
      if (reply.kind === "done") waiter.resolve(reply.value);
      else waiter.reject(new Error(`argon2: ${reply.message}`));
    });
    const fail = (cause: unknown) => {
      for (const waiter of pending.values()) waiter.reject(new Error("argon2 worker stopped", { cause }));
      pending.clear();
      announce(undefined);
      const index = slots.indexOf(slot);
      if (!closed && index !== -1) slots[index] = spawn();
    };
    worker.on("error", fail);
    worker.on("exit", (code) => fail(new Error(`exit code ${code}`)));
    return slot;
  };
  const slots: Slot[] = Array.from({ length: options.size }, spawn);

  // The least busy worker, starting after the last one picked so equal loads take turns.
  const pick = (): Slot => {
    let best: Slot | undefined;
    for (let step = 0; step < slots.length; step += 1) {
      const slot = slots[(cursor + step) % slots.length] as Slot;
      if (best === undefined || slot.pending.size < best.pending.size) best = slot;
    }
    cursor = (cursor + 1) % slots.length;
    return best as Slot;
  };

  const submit = (task: Task): Promise<string | boolean> => {
    if (closed) return Promise.reject(new Error("argon2 pool is closed"));
    const slot = pick();
    return new Promise((resolve, reject) => {
      slot.pending.set(task.id, { resolve, reject });
      slot.worker.ref();
      slot.worker.postMessage(task);
    });
  };

  return {
    size: options.size,
    hash: async (password, argon2) =>
      String(await submit({ op: "hash", id: nextId++, password, options: { ...argon2 } })),
    verify: async (hash, password) => (await submit({ op: "verify", id: nextId++, password, hash })) === true,
    ready: () => Promise.all(slots.map((slot) => slot.ready)),
    workers: () => slots.map((slot) => slot.worker),
    async close() {
      closed = true;
      await Promise.all(slots.map((slot) => slot.worker.terminate()));
    },
  };
}
