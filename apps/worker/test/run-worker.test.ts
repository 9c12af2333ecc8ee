import { tmpdir } from "node:os";
import { tables } from "@gatehouse/infrastructure";
import { createTestDatabase, type TestDatabase } from "@gatehouse/infrastructure/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Job } from "../src/jobs.js";
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE, runWorker } from "../src/run-worker.js";
import { captureIo } from "./support.js";

describe("runWorker", () => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await createTestDatabase("pglite");
  });
  afterAll(async () => {
    await database?.drop();
  });

  const run = async (argv: string[], jobs?: Record<string, Job>) => {
    const captured = captureIo();
    const options = { cwd: tmpdir(), database: database.handle, ...(jobs === undefined ? {} : { jobs }) };
    const code = await runWorker(argv, {}, captured.io, options);
    return { code, ...captured };
  };

  it("prints usage listing the jobs when no job is named", async () => {
    const result = await run([]);
    expect(result.code).toBe(EXIT_USAGE);
    expect(result.stdout).toEqual([]);
    expect(result.stderr).toEqual(["usage: gatehouse-worker <job> | gatehouse-worker schedule\njobs: cleanup"]);
  });

  it("warns about a misspelt variable with the likely intended name, then reports the refused configuration", async () => {
    const captured = captureIo();
    const env = { DATABSE_URL: "postgres://u@127.0.0.1/db", APP_PORT: "not-a-port" };
    const code = await runWorker(["cleanup"], env, captured.io, { cwd: tmpdir(), database: database.handle });
    expect(code).toBe(EXIT_FAILURE);
    expect(captured.stderr).toEqual([
      "gatehouse-worker: warning: DATABSE_URL is not a Gatehouse setting and is ignored: did you mean DATABASE_URL?",
      'gatehouse-worker: invalid configuration: APP_PORT must be an integer from 0 to 65535 (got "not-a-port")',
    ]);
  });

  it("refuses an unknown job, an inherited property name, and extra arguments", async () => {
    for (const argv of [["vacuum"], ["toString"], ["cleanup", "now"]]) {
      const result = await run(argv);
      expect(result.code).toBe(EXIT_USAGE);
      expect(result.stdout).toEqual([]);
      expect(result.stderr[0]).toMatch(/^gatehouse-worker: (unknown job|unexpected arguments)/);
    }
  });

  it("runs any job of the registry and prints its summary as one JSON line", async () => {
    const jobs: Record<string, Job> = { ping: async () => ({ job: "ping", skipped: false }) };
    const result = await run(["ping"], jobs);
    expect(result.code).toBe(EXIT_OK);
    expect(result.stdout).toEqual(['{"job":"ping","skipped":false}']);
  });

  it("reports a failing job on one stderr line, with the error's cause and without query parameters", async () => {
    const jobs: Record<string, Job> = {
      boom: async () => {
        throw new Error("Failed query: DELETE ...\nparams: secret-value", { cause: new Error("connection refused") });
      },
    };
    const result = await run(["boom"], jobs);
    expect(result.code).toBe(EXIT_FAILURE);
    expect(result.stdout).toEqual([]);
    expect(result.stderr).toEqual(["gatehouse-worker: boom failed: Failed query: DELETE ...: connection refused"]);
  });

  it("leaves a database it was handed open", async () => {
    await run(["cleanup"]);
    await expect(database.handle.db.select().from(tables.users)).resolves.toBeDefined();
  });
});
