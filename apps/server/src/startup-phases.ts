import { performance } from "node:perf_hooks";
import {
  type DatabaseHandle,
  type DatabaseTarget,
  type Logger,
  openDatabase,
  type QueryObserver,
  runMigrations,
} from "@gatehouse/infrastructure";

interface Phase {
  readonly key: string;
  readonly label: string;
  readonly ms: number;
}

/** Logs the phase's line; `label` names it in the summary (default: the phase's key). */
export type Announce = (text: string, label?: string) => void;

/**
 * The slow steps of a start, one log line each as it begins (a first start on the embedded
 * database takes seconds and would otherwise be silent), and their durations for the final
 * "listening" line. A phase that never announces itself (no pending migration) stays out.
 */
export class StartupPhases {
  private readonly done: Phase[] = [];

  constructor(
    private readonly logger: Pick<Logger, "info">,
    private readonly now: () => number = () => performance.now(),
  ) {}

  async run<T>(key: string, work: (announce: Announce) => Promise<T>): Promise<T> {
    const started = this.now();
    let label: string | undefined;
    const result = await work((text, name = key) => {
      label = name;
      this.logger.info({ phase: key }, text);
    });
    if (label !== undefined) this.done.push({ key, label, ms: Math.round(this.now() - started) });
    return result;
  }

  /** `started in 3.4 s (embedded database 1.2 s, 7 migrations 2.1 s)`, timed from process start. */
  summary(): { readonly text: string; readonly fields: Readonly<Record<string, number>> } {
    const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
    const total = Math.round(this.now());
    const parts = this.done.map((phase) => `${phase.label} ${seconds(phase.ms)}`);
    const fields: Record<string, number> = { startup_ms: total };
    for (const phase of this.done) fields[`${phase.key.replace(/\W+/g, "_")}_ms`] = phase.ms;
    return { text: `started in ${seconds(total)}${parts.length > 0 ? ` (${parts.join(", ")})` : ""}`, fields };
  }
}

/** Opens the database; PGlite's first start (creating its files) is the slow part. */
export function openDatabaseInPhases(
  target: DatabaseTarget,
  phases: StartupPhases,
  observer?: QueryObserver,
): Promise<DatabaseHandle> {
  return phases.run("database", (announce) => {
    if (target.kind === "pglite") announce("initialising embedded database…", "embedded database");
    return openDatabase(target, observer);
  });
}

/** Applies pending migrations, announcing how many (nothing when the database is current). */
export function migrateInPhases(database: DatabaseHandle, phases: StartupPhases): Promise<void> {
  return phases.run("migrations", (announce) =>
    runMigrations(database, undefined, {
      onPending: (count) => announce(`applying ${count} migration${count === 1 ? "" : "s"}…`, `${count} migrations`),
    }),
  );
}
