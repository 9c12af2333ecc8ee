import type { PGlite, Transaction } from "@electric-sql/pglite";
import type { DbOperation, Telemetry } from "@gatehouse/domain";
import { getTableName, isTable } from "drizzle-orm";
import type { Sql } from "postgres";
import { schema } from "../db/tables.js";

/** Called once when a statement settles, with its duration and whether it failed. */
export type QueryFinished = (seconds: number, failed: boolean) => void;

/**
 * Told about every statement the driver runs. `started` is called synchronously where the
 * statement is issued (so the caller's async context, and its active span, is current there);
 * what it returns is called when the statement settles.
 */
export interface QueryObserver {
  started(text: string): QueryFinished;
}

/** One observer telling each of `observers`; undefined when there are none (no per-query cost). */
export function combineQueryObservers(observers: ReadonlyArray<QueryObserver | undefined>): QueryObserver | undefined {
  const present = observers.filter((observer): observer is QueryObserver => observer !== undefined);
  if (present.length <= 1) return present[0];
  return {
    started(text) {
      const finishers = present.map((observer) => observer.started(text));
      return (seconds, failed) => {
        for (const finish of finishers) finish(seconds, failed);
      };
    },
  };
}

const KNOWN_TABLES: ReadonlySet<string> = new Set(
  Object.values(schema)
    .filter((value) => isTable(value))
    .map((table) => getTableName(table)),
);

// The first table a statement names, after the keyword that introduces it; Drizzle quotes names.
const TABLE_AFTER = /\b(?:from|into|update|join)\s+"?([a-z_][a-z0-9_]*)"?/i;
const CLASSIFIED_LIMIT = 2_000;

/**
 * `{operation, table}` of a statement: its first keyword and the first schema table it names.
 * Both come from fixed sets (a table outside the schema is `other`), so the label values stay
 * bounded whatever the text.
 */
export function classifyStatement(text: string): { operation: DbOperation; table: string } {
  const head = /^\s*(?:with\b[\s\S]*?\)\s*)?(select|insert|update|delete)\b/i.exec(text);
  const operation = (head?.[1]?.toLowerCase() ?? "other") as DbOperation;
  const match = TABLE_AFTER.exec(text);
  const table = match?.[1] !== undefined && KNOWN_TABLES.has(match[1]) ? match[1] : "other";
  return { operation, table };
}

const classified = new Map<string, { operation: DbOperation; table: string }>();

/**
 * `classifyStatement` once per text: Drizzle generates the same text for the same query shape,
 * so the cost per statement is one map lookup. The map is capped in case something generates
 * texts without bound.
 */
export function classifyCached(text: string): { operation: DbOperation; table: string } {
  let labels = classified.get(text);
  if (labels === undefined) {
    labels = classifyStatement(text);
    if (classified.size < CLASSIFIED_LIMIT) classified.set(text, labels);
  }
  return labels;
}

/**
 * The observer behind `api_db_queries_total` and `api_db_query_duration_seconds`, plus the
 * statements in flight (`gatehouse_db_pool{state="in_flight"}`).
 */
export function makeQueryMetrics(telemetry: Telemetry): QueryObserver & { inFlight(): number } {
  let inFlight = 0;
  return {
    started(text) {
      inFlight++;
      return (seconds) => {
        inFlight--;
        const labels = classifyCached(text);
        telemetry.dbQuery(labels.operation, labels.table, seconds);
      };
    },
    inFlight: () => inFlight,
  };
}

/** Times a postgres.js query (a lazy thenable) from creation until it settles, once. */
function timed<Q extends PromiseLike<unknown>>(query: Q, text: string, observer: QueryObserver): Q {
  const started = performance.now();
  const finished = observer.started(text);
  let done = false;
  const finish = (failed: boolean) => {
    if (done) return;
    done = true;
    finished((performance.now() - started) / 1000, failed);
  };
  const then = query.then.bind(query);
  // biome-ignore lint/suspicious/noThenProperty: a postgres.js query is a lazy thenable that runs when awaited; timing it means wrapping its then
  Object.defineProperty(query, "then", {
    value: (onFulfilled?: (value: unknown) => unknown, onRejected?: (reason: unknown) => unknown) =>
      then(
        (value) => {
          finish(false);
          return onFulfilled ? onFulfilled(value) : value;
        },
        (reason: unknown) => {
          finish(true);
          if (onRejected) return onRejected(reason);
          throw reason;
        },
      ),
  });
  return query;
}

/**
 * postgres.js with every `unsafe` statement (all Drizzle sends, transactions included) timed.
 * Wrapped at the driver rather than in Drizzle's logger: the logger hears of a query before it
 * runs and never of its end, so it cannot measure a duration.
 */
export function observePostgres<T extends Sql>(client: T, observer: QueryObserver): T {
  return new Proxy(client, {
    get(target, property, receiver) {
      if (property === "unsafe") {
        return (text: string, parameters?: unknown[], options?: Record<string, unknown>) =>
          timed(target.unsafe(text, parameters as never, options), text, observer);
      }
      if (property === "begin") {
        return (...args: unknown[]) => {
          const work = args.pop() as (tx: Sql) => unknown;
          return (target.begin as (...a: unknown[]) => unknown)(...args, (tx: Sql) =>
            work(observePostgres(tx, observer)),
          );
        };
      }
      return Reflect.get(target, property, receiver);
    },
  });
}

type Queryable = Pick<PGlite, "query"> | Pick<Transaction, "query">;

async function timedPglite<R>(text: string, run: () => Promise<R>, observer: QueryObserver): Promise<R> {
  const started = performance.now();
  const finished = observer.started(text);
  let failed = true;
  try {
    const result = await run();
    failed = false;
    return result;
  } finally {
    finished((performance.now() - started) / 1000, failed);
  }
}

function observeQueryable<C extends Queryable>(client: C, observer: QueryObserver): C {
  return new Proxy(client, {
    get(target, property) {
      if (property === "query") {
        return (text: string, ...rest: unknown[]) =>
          timedPglite(text, () => (target.query as (...a: unknown[]) => Promise<unknown>)(text, ...rest), observer);
      }
      if (property === "transaction" && "transaction" in target) {
        return (work: (tx: Transaction) => Promise<unknown>) =>
          (target as PGlite).transaction((tx) => work(observeQueryable(tx, observer)));
      }
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

/** PGlite with every `query` (Drizzle's only entry, transactions included) timed. */
export function observePglite(client: PGlite, observer: QueryObserver): PGlite {
  return observeQueryable(client, observer);
}
