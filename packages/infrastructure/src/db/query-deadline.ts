import type { Sql } from "postgres";

/**
 * A database round trip that did not finish in time: the server was cancelled by
 * `statement_timeout`, or never answered (frozen, partitioned). Its `code` is the one the HTTP
 * layer already maps to 503 SERVICE_UNAVAILABLE for an unreachable dependency.
 */
export class DatabaseTimeoutError extends Error {
  readonly code = "ETIMEDOUT";
  constructor(timeoutMs: number, options?: { cause?: unknown }) {
    super(`database did not answer within ${timeoutMs} ms`, options);
    this.name = "DatabaseTimeoutError";
  }
}

/** PostgreSQL's `query_canceled`, which is what `statement_timeout` raises. */
const QUERY_CANCELED = "57014";

function asTimeout(error: unknown, timeoutMs: number): unknown {
  const code = (error as { code?: unknown } | null)?.code;
  return code === QUERY_CANCELED ? new DatabaseTimeoutError(timeoutMs, { cause: error }) : error;
}

/**
 * Settles like `work`, or rejects with DatabaseTimeoutError after `timeoutMs`. The work itself
 * goes on (postgres.js cannot abandon a written query); its late result is dropped.
 */
export function withinMs<T>(work: PromiseLike<T>, timeoutMs: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DatabaseTimeoutError(timeoutMs)), timeoutMs);
  });
  return Promise.race([Promise.resolve(work), expired])
    .catch((error: unknown) => {
      throw asTimeout(error, timeoutMs);
    })
    .finally(() => clearTimeout(timer));
}

/**
 * Rejects when nothing happened for `timeoutMs`: a transaction is many round trips, each of
 * which may take up to the timeout, but BEGIN and COMMIT are sent by the driver itself and
 * need a bound too.
 */
function inactivityWatch(timeoutMs: number) {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let expired = false;
  let fail: (error: Error) => void = () => {};
  const failed = new Promise<never>((_, reject) => {
    fail = reject;
  });
  const arm = () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      expired = true;
      fail(new DatabaseTimeoutError(timeoutMs));
    }, timeoutMs);
  };
  arm();
  return {
    touch: () => {
      if (!expired) arm();
    },
    get expired() {
      return expired;
    },
    race<T>(work: Promise<T>): Promise<T> {
      return Promise.race([work, failed])
        .catch((error: unknown) => {
          throw asTimeout(error, timeoutMs);
        })
        .finally(() => clearTimeout(timer));
    },
  };
}

/**
 * Distinct statement texts a pool prepares. postgres.js keeps every prepared statement of a
 * connection for the connection's life, keyed by its text, with no bound of its own (and the
 * server keeps its plan). Drizzle's shapes are few, but a list of varying length (`IN ($1, …,
 * $n)`) makes a new text per length; past this many texts a pool runs new ones unprepared, so
 * each connection caches at most this many statements.
 */
export const PREPARED_TEXTS_LIMIT = 500;

/** Whether to prepare `text`: yes for the first `limit` distinct texts seen, then only those. */
export function preparedTexts(limit = PREPARED_TEXTS_LIMIT): (text: string) => boolean {
  const texts = new Set<string>();
  return (text) => {
    if (texts.has(text)) return true;
    if (texts.size >= limit) return false;
    texts.add(text);
    return true;
  };
}

interface Options {
  readonly timeoutMs: number;
  /** Called when a statement inside a transaction starts or settles. */
  readonly onProgress?: (() => void) | undefined;
  /** Shared by a pool and its transactions; a fresh one (default limit) when omitted. */
  readonly prepare?: ((text: string) => boolean) | undefined;
}

/**
 * Wraps the client Drizzle uses so that every statement is a prepared statement (see below)
 * and every round trip ends within the query timeout.
 *
 * Drizzle runs every query through `unsafe(…, { prepare: false })`, so PostgreSQL parses and
 * plans each one anew; for the five-table join behind `me` that planning costs ~7x the
 * execution. This makes every query (and every query inside a transaction) a prepared
 * statement, which postgres.js caches per connection by its text. Drizzle generates the same
 * text for the same query shape, so the cache stays as small as the set of shapes, and
 * `PREPARED_TEXTS_LIMIT` bounds it when shapes multiply.
 *
 * A transaction whose time ran out before its work began (it waited for a connection) throws
 * at once, so the driver rolls it back: work the caller was told had failed never commits late.
 */
export function boundedClient<T extends Sql>(client: T, options: Options): T {
  const { timeoutMs, onProgress } = options;
  const prepare = options.prepare ?? preparedTexts();
  return new Proxy(client, {
    get(target, property, receiver) {
      if (property === "unsafe") {
        return (query: string, parameters?: unknown[], queryOptions?: Record<string, unknown>) => {
          const pending = target.unsafe(query, parameters as never, { ...queryOptions, prepare: prepare(query) });
          // postgres.js queries are lazy (they start when awaited); start this one now, so queries
          // go out in the order they were made however many hops awaiting this wrapper takes:
          // a lock taken in one statement and a read pipelined after it rely on that order.
          // `.values()` still applies: the driver reads the mode only when the query runs.
          pending.execute();
          const run = () => {
            onProgress?.();
            const settled = withinMs(pending, timeoutMs);
            if (onProgress !== undefined) settled.then(onProgress, onProgress);
            return settled;
          };
          return {
            values: () => {
              pending.values();
              return run();
            },
            // biome-ignore lint/suspicious/noThenProperty: Drizzle awaits what `unsafe` returns.
            then: (onFulfilled?: (value: unknown) => unknown, onRejected?: (reason: unknown) => unknown) =>
              run().then(onFulfilled, onRejected),
          };
        };
      }
      if (property === "begin") {
        return (...args: unknown[]) => {
          const work = args.pop() as (tx: Sql) => unknown;
          const watch = inactivityWatch(timeoutMs);
          const transaction = (target.begin as (...a: unknown[]) => Promise<unknown>)(...args, async (tx: Sql) => {
            if (watch.expired) throw new DatabaseTimeoutError(timeoutMs);
            watch.touch();
            try {
              return await work(boundedClient(tx, { timeoutMs, onProgress: watch.touch, prepare }));
            } finally {
              watch.touch(); // COMMIT or ROLLBACK is sent now
            }
          });
          return watch.race(transaction);
        };
      }
      return Reflect.get(target, property, receiver);
    },
  });
}
