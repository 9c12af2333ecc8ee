import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig, pingDatabase, rowsOf } from "@gatehouse/infrastructure";
import { createTestDatabase } from "@gatehouse/infrastructure/testing";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openAdapters } from "../src/wiring/adapters.js";
import { mailDeliveryPolicy } from "../src/wiring/mail-delivery.js";

describe("openAdapters (server, worker and CLI)", () => {
  let dataDir: string;
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), "gatehouse-adapters-"));
  });
  afterAll(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it("opens and migrates the embedded database, and close() closes what it opened", async () => {
    const config = loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: "silent" }, dataDir);
    const adapters = await openAdapters(config);
    const rows = rowsOf<{ count: number }>(
      await adapters.database.db.execute(sql`SELECT count(*)::int AS count FROM roles WHERE is_system`),
    );
    expect(rows[0]?.count).toBe(3);
    expect(await adapters.repositories.users.findByEmail("nobody@example.com")).toBeUndefined();
    await adapters.close();
    await expect(pingDatabase(adapters.database.db)).rejects.toThrow();
    // A first PGlite start plus 18 migrations came within a second of vitest's 30 s default at load 30.
  }, 120_000);

  it("leaves an overridden database open and uses the overridden clock", async () => {
    const database = await createTestDatabase("pglite");
    try {
      const clock = { now: () => new Date("2030-01-01T00:00:00Z") };
      const config = loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: "silent" }, dataDir);
      const adapters = await openAdapters(config, { database: database.handle, clock });
      expect(adapters.database).toBe(database.handle);
      expect(adapters.clock).toBe(clock);
      await adapters.close();
      await expect(pingDatabase(database.handle.db)).resolves.not.toThrow();
    } finally {
      await database.drop();
    }
  });

  it("gives the server's sender and the worker's cleanup one mail-delivery policy", () => {
    const config = loadConfig({ DATA_DIR: dataDir, MAIL_MAX_ATTEMPTS: "7", MAIL_BATCH_SIZE: "3" }, dataDir);
    expect(mailDeliveryPolicy(config)).toEqual({
      batchSize: 3,
      maxAttempts: 7,
      retryBaseSeconds: config.mail.retryBaseSeconds,
      retryMaxSeconds: 3600,
      leaseSeconds: 120,
    });
  });
});
