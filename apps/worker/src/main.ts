#!/usr/bin/env node
import { runWorker } from "./run-worker.js";

/** `node apps/worker/dist/main.js cleanup`: one job, one JSON line, then exit (for cron). */
const io = {
  out: (line: string) => process.stdout.write(`${line}\n`),
  err: (line: string) => process.stderr.write(`${line}\n`),
};

runWorker(process.argv.slice(2), process.env, io).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`gatehouse-worker: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
