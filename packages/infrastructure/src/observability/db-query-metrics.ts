import type { PGlite, Transaction } from "@electric-sql/pglite";
import type { DbOperation, Telemetry } from "@gatehouse/domain";
import { getTableName, isTable } from "drizzle-orm";
import type { Sql } from "postgres";
import { schema } from "../db/tables.js";

/** Told about every statement the driver ran, with its text and duration (failed ones too). */
export interface QueryObserver {
  started(): void;
  finished(text: string, seconds: number): void;
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

/**
 * The observer behind `api_db_queries_total` and `api_db_query_duration_seconds`, plus the
 * statements in flight (`gatehouse_db_pool{state="in_flight"}`). Drizzle generates the same
 * text for the same query shape, so classifying once per text keeps the cost per statement
 * to one map lookup; the map is capped in case something generates texts without bound.
 */
export function makeQueryMetrics(telemetry: Telemetry): QueryObserver & { inFlight(): number } {
  const classified = new Map<string, { operation: DbOperation; table: string }>();
  let inFlight = 0;
  return {
    started() {
      inFlight++;
    },
    finished(text, seconds) {
      inFlight--;
      let labels = classified.get(text);
      if (labels === undefined) {
        labels = classifyStatement(text);
        if (classified.size < CLASSIFIED_LIMIT) classified.set(text, labels);
      }
      telemetry.dbQuery(labels.operation, labels.table, seconds);
    },
    inFlight: () => inFlight,
  };
}

/** Times a postgres.js query (a lazy thenable) from creation until it settles, once. */
function timed<Q extends PromiseLike<unknown>>(query: Q, text: string, observer: QueryObserver): Q {
  const started = performance.now();
  observer.started();
  let done = false;
  const finish = () => {
    if (done) return;
    done = true;
    observer.finished(text, (performance.now() - started) / 1000);
  };
  const then = query.then.bind(query);
  // biome-ignore lint/suspicious/noThenProperty: a postgres.js query is a lazy thenable that runs when awaited; timing it means wrapping its then
  Object.defineProperty(query, "then", {
    value: (onFulfilled?: (value: unknown) => unknown, onRejected?: (reason: unknown) => unknown) =>
      then(
        (value) => {
          finish();
          return onFulfilled ? onFulfilled(value) : value;
        },
        (reason: unknown) => {
          finish();
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
  observer.started();
  try {
    return await run();
  } finally {
    observer.finished(text, (performance.now() - started) / 1000);
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
