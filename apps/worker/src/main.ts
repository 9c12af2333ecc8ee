#!/usr/bin/env node
import { runWorker } from "./run-worker.js";

/**
 * `node apps/worker/dist/main.js cleanup`: one job, one JSON line, then exit (for cron).
 * `node apps/worker/dist/main.js schedule`: cleanup daily in-process (WORKER_SCHEDULE).
 */
const io = {
  out: (line: string) => process.stdout.write(`${line}\n`),
  err: (line: string) => process.stderr.write(`${line}\n`),
};

// `schedule` runs until SIGTERM/SIGINT, then finishes the run in flight and exits 0.
// One-shot jobs keep the default signal behaviour (terminate at once).
const stop = new AbortController();
if (process.argv[2] === "schedule") {
  process.once("SIGTERM", () => stop.abort());
  process.once("SIGINT", () => stop.abort());
}

runWorker(process.argv.slice(2), process.env, io, { signal: stop.signal }).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`gatehouse-worker: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
