import type { Clock } from "@gatehouse/domain";
import {
  type Config,
  ConfigError,
  type DatabaseHandle,
  describeDatabaseFailure,
  loadConfig,
  lookalikeVariableWarnings,
  readDotEnv,
  safeError,
} from "@gatehouse/infrastructure";
import { openAdapters } from "@gatehouse/server/adapters";
import { Cron } from "croner";
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
  /** Ends `schedule` (main.ts aborts it on SIGTERM/SIGINT). */
  readonly signal?: AbortSignal;
}

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

const NAME = "gatehouse-worker";

/** The error and its causes on one line, without query parameters (see safeError). */
function oneLine(error: unknown): string {
  const database = describeDatabaseFailure(error);
  if (database !== undefined) return database;
  const messages: string[] = [];
  for (let current: ReturnType<typeof safeError> | undefined = safeError(error); current; current = current.cause) {
    messages.push(current.message);
  }
  return messages.join(": ").trim();
}

/** The configuration, after one stderr line per set variable that looks like a misspelt one of ours (first: it may be why loading fails). */
function loadConfigWarning(env: NodeJS.ProcessEnv, io: WorkerIo, options: WorkerOptions): Config {
  const cwd = options.cwd ?? process.cwd();
  for (const warning of lookalikeVariableWarnings({ ...readDotEnv(cwd), ...env }))
    io.err(`${NAME}: warning: ${warning}`);
  return loadConfig(env, cwd);
}

function usage(jobs: Readonly<Record<string, Job>>): string {
  return `usage: ${NAME} <job> | ${NAME} schedule\njobs: ${Object.keys(jobs).join(", ")}`;
}

/** The job `schedule` runs. */
const SCHEDULED_JOB = "cleanup";

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
  const { database, clock, close } = await openAdapters(config, { database: options.database, clock: options.clock });
  try {
    return await job({ config, database, clock });
  } finally {
    await close();
  }
}

/**
 * Runs the job named by `argv[0]` once (or, for `schedule`, on WORKER_SCHEDULE until
 * `options.signal` aborts) and returns the process exit code: 0 when it ran or
 * was skipped because another run holds its lock (stdout: one JSON line), 1 on invalid
 * configuration or failure (stderr: one line), 2 on a missing or unknown job (stderr: usage).
 */
function untilAborted(signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (signal === undefined) return; // runs until the process is killed
    if (signal.aborted) resolve();
    signal.addEventListener("abort", () => resolve(), { once: true });
  });
}

/**
 * `schedule`: stays up and runs `cleanup` whenever WORKER_SCHEDULE matches, for deployments
 * without cron. Each run prints its summary line; a failed run prints one stderr line and the
 * schedule goes on. A run never overlaps the previous one, and the advisory lock still keeps
 * two schedulers (or a scheduler and cron) from running it at once. On abort it waits for the
 * run in flight, then resolves 0.
 */
async function runSchedule(env: NodeJS.ProcessEnv, io: WorkerIo, options: WorkerOptions): Promise<number> {
  const jobs = options.jobs ?? JOBS;
  const job = jobs[SCHEDULED_JOB];
  if (job === undefined) throw new Error(`no ${SCHEDULED_JOB} job`);
  const config = loadConfigWarning(env, io, options);
  let inFlight: Promise<void> = Promise.resolve();
  let cron: Cron;
  try {
    cron = new Cron(config.workerSchedule, { protect: true }, () => {
      inFlight = runJob(job, config, options).then(
        (summary) => io.out(JSON.stringify(summary)),
        (error: unknown) => io.err(`${NAME}: ${SCHEDULED_JOB} failed: ${oneLine(error)}`),
      );
      return inFlight;
    });
  } catch (error) {
    throw new ConfigError(`WORKER_SCHEDULE is not a valid cron pattern: ${oneLine(error)}`);
  }
  io.err(
    `${NAME}: ${SCHEDULED_JOB} scheduled at "${config.workerSchedule}"; next run ${cron.nextRun()?.toISOString()}`,
  );
  await untilAborted(options.signal);
  cron.stop();
  await inFlight;
  return EXIT_OK;
}

export async function runWorker(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  io: WorkerIo,
  options: WorkerOptions = {},
): Promise<number> {
  const jobs = options.jobs ?? JOBS;
  if (argv[0] === "schedule" && argv.length === 1) {
    try {
      return await runSchedule(env, io, options);
    } catch (error) {
      const what = error instanceof ConfigError ? "invalid configuration" : "schedule failed";
      io.err(`${NAME}: ${what}: ${oneLine(error)}`);
      return EXIT_FAILURE;
    }
  }
  const job = pickJob(argv, jobs, io);
  if (job === undefined) {
    io.err(usage(jobs));
    return EXIT_USAGE;
  }
  const name = argv[0] ?? "";
  try {
    const config = loadConfigWarning(env, io, options);
    io.out(JSON.stringify(await runJob(job, config, options)));
    return EXIT_OK;
  } catch (error) {
    const what = error instanceof ConfigError ? "invalid configuration" : `${name} failed`;
    io.err(`${NAME}: ${what}: ${oneLine(error)}`);
    return EXIT_FAILURE;
  }
}
