import { once } from "node:events";
import { createWriteStream } from "node:fs";
import type { Writable } from "node:stream";
import { SingleBar } from "cli-progress";
import { type CliCommand, stringOption } from "./command.js";
import { withOperator } from "./operator.js";
import { userView } from "./user-view.js";

const PAGE_SIZE = 100;

async function writeLine(stream: Writable, line: string): Promise<void> {
  if (!stream.write(line)) await once(stream, "drain");
}

/** Count, rate and ETA on a terminal; nothing until the summary line elsewhere (logs, pipes). */
function progressFor(total: number): { tick(done: number): void; stop(): void } {
  if (!process.stderr.isTTY) return { tick: () => {}, stop: () => {} };
  const bar = new SingleBar({
    stream: process.stderr,
    format: "exporting {bar} {value}/{total} users | {rate}/s | ETA {eta_formatted}",
    etaBuffer: 20,
    hideCursor: true,
  });
  const started = Date.now();
  bar.start(total, 0, { rate: "0" });
  return {
    tick(done) {
      const seconds = Math.max(0.001, (Date.now() - started) / 1000);
      bar.update(done, { rate: (done / seconds).toFixed(0) });
    },
    stop: () => bar.stop(),
  };
}

export const usersExport: CliCommand = {
  name: "users export",
  summary: "Write every user (soft-deleted too) as JSON lines to stdout or --output FILE",
  declare: (command) => command.option("--output <file>", "write to this file instead of standard output"),
  async run({ options, out }) {
    const file = stringOption(options, "output");
    const stream: Writable = file === undefined ? process.stdout : createWriteStream(file, { flags: "w", mode: 0o600 });
    // Timed from the first read: opening (and migrating) the database is not the export's rate.
    let started = Date.now();
    const exported = await withOperator(async (op) => {
      started = Date.now();
      const query = { perPage: PAGE_SIZE, includeDeleted: true, sort: "created_at", order: "asc" } as const;
      let done = 0;
      let total = (await op.admin.listUsers({ ...query, page: 1, perPage: 1 })).totalItems;
      const progress = progressFor(total);
      try {
        // Oldest first, so users created during the export land on later pages, not shift earlier ones.
        for (let page = 1; done < total; page++) {
          const batch = await op.admin.listUsers({ ...query, page });
          total = batch.totalItems;
          if (batch.items.length === 0) break;
          for (const item of batch.items)
            await writeLine(stream, `${JSON.stringify(userView(item.user, item.roleNames))}\n`);
          done += batch.items.length;
          progress.tick(done);
        }
      } finally {
        progress.stop();
      }
      return done;
    });
    if (file !== undefined) {
      stream.end();
      await once(stream, "finish");
    }
    const seconds = (Date.now() - started) / 1000;
    const summary = {
      exported,
      seconds: Number(seconds.toFixed(3)),
      rate: Number((exported / Math.max(seconds, 0.001)).toFixed(1)),
      file: file ?? null,
    };
    const line = `exported ${exported} users in ${seconds.toFixed(1)}s (${summary.rate} users/s)${file ? ` to ${file}` : ""}`;
    // The data owns stdout when no file is given: the summary goes to stderr then.
    if (file === undefined) process.stderr.write(`${out.json ? JSON.stringify(summary) : line}\n`);
    else out.result(summary, () => line);
  },
};
