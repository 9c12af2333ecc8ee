import type { Clock } from "@gatehouse/domain";
import {
  type Config,
  ConfigError,
  type DatabaseHandle,
  loadConfig,
  openDatabase,
  runMigrations,
  safeError,
  systemClock,
} from "@gatehouse/infrastructure";
import { JOBS, type Job, type JobSummary } from "./jobs.js";

/** Where the worker writes: one line per call, without the trailing newline. */
export interface WorkerIo {
  out(line: string): void;
  err(line: string): void;
}

export interface WorkerOptions {
  /** Directory whose `.env` is read; defaults to the process's working directory. */
  readonly cwd?: string;
  /** An already-open database, left open afterwards (tests use an in-memory PGlite). */
  readonly database?: DatabaseHandle;
  readonly clock?: Clock;
  /** The job registry; defaults to JOBS. */
  readonly jobs?: Readonly<Record<string, Job>>;
}

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

const NAME = "gatehouse-worker";

/** The error and its causes on one line, without query parameters (see safeError). */
function oneLine(error: unknown): string {
  const messages: string[] = [];
  for (let current: ReturnType<typeof safeError> | undefined = safeError(error); current; current = current.cause) {
    messages.push(current.message);
  }
  return messages.join(": ").trim();
}

function usage(jobs: Readonly<Record<string, Job>>): string {
  return `usage: ${NAME} <job>\njobs: ${Object.keys(jobs).join(", ")}`;
}

function pickJob(argv: readonly string[], jobs: Readonly<Record<string, Job>>, io: WorkerIo): Job | undefined {
  const [name, ...rest] = argv;
  if (name === undefined) return undefined;
  if (rest.length > 0) {
    io.err(`${NAME}: unexpected arguments after "${name}": ${rest.join(" ")}`);
    return undefined;
  }
  if (!Object.hasOwn(jobs, name)) {
    io.err(`${NAME}: unknown job "${name}"`);
    return undefined;
  }
  return jobs[name];
}

async function runJob(job: Job, config: Config, options: WorkerOptions): Promise<JobSummary> {
  const database = options.database ?? (await openDatabase(config.database));
  try {
    if (config.autoMigrate) await runMigrations(database);
    return await job({ config, database, clock: options.clock ?? systemClock });
  } finally {
    if (options.database === undefined) await database.close();
  }
}

/**
 * Runs the job named by `argv[0]` once and returns the process exit code: 0 when it ran or
 * was skipped because another run holds its lock (stdout: one JSON line), 1 on invalid
 * configuration or failure (stderr: one line), 2 on a missing or unknown job (stderr: usage).
 */
export async function runWorker(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  io: WorkerIo,
  options: WorkerOptions = {},
): Promise<number> {
  const jobs = options.jobs ?? JOBS;
  const job = pickJob(argv, jobs, io);
  if (job === undefined) {
    io.err(usage(jobs));
    return EXIT_USAGE;
  }
  const name = argv[0] ?? "";
  try {
    const config = loadConfig(env, options.cwd ?? process.cwd());
    io.out(JSON.stringify(await runJob(job, config, options)));
    return EXIT_OK;
  } catch (error) {
    const what = error instanceof ConfigError ? "invalid configuration" : `${name} failed`;
    io.err(`${NAME}: ${what}: ${oneLine(error)}`);
    return EXIT_FAILURE;
  }
}
