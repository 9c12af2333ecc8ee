import { once } from "node:events";
import { createServer, type Server, type Socket, connect as tcpConnect } from "node:net";
import { sql } from "drizzle-orm";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, postgresTestUrl, type TestDatabase } from "../testing/test-database.js";
import { openDatabase, reconnectBackoffSeconds, rowsOf } from "./database.js";
import { boundedClient, preparedTexts } from "./query-deadline.js";

/**
 * A TCP relay in front of the real PostgreSQL server that can stop relaying: the database then
 * accepts bytes and never answers, as a SIGSTOPped server or a lost route would.
 */
async function freezableRelay(target: URL) {
  const sockets = new Set<Socket>();
  let frozen = false;
  const held: Array<() => void> = [];
  const server: Server = createServer((client) => {
    const upstream = tcpConnect(Number(target.port), target.hostname);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on("error", () => {});
      socket.on("close", () => sockets.delete(socket));
    }
    const relay = (from: Socket, to: Socket) =>
      from.on("data", (chunk) => {
        if (frozen) held.push(() => to.write(chunk));
        else to.write(chunk);
      });
    relay(client, upstream);
    relay(upstream, client);
    client.on("close", () => upstream.destroy());
    upstream.on("close", () => client.destroy());
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const port = (server.address() as { port: number }).port;
  return {
    url(database: string) {
      const url = new URL(database);
      url.hostname = "127.0.0.1";
      url.port = String(port);
      return url.toString();
    },
    freeze() {
      frozen = true;
    },
    thaw() {
      frozen = false;
      for (const write of held.splice(0)) write();
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      server.close();
    },
  };
}

function causeCodes(error: unknown): string[] {
  const codes: string[] = [];
  for (let current: unknown = error; current instanceof Error; current = current.cause) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === "string") codes.push(code);
  }
  return codes;
}

async function failure(work: Promise<unknown>): Promise<unknown> {
  return work.then(
    () => {
      throw new Error("expected the database call to fail");
    },
    (error: unknown) => error,
  );
}

describe("reconnectBackoffSeconds", () => {
  it("grows from 25-50 ms and never waits more than 1 s", () => {
    for (let retries = 0; retries < 40; retries++) {
      const delay = reconnectBackoffSeconds(retries);
      expect(delay).toBeGreaterThanOrEqual(0.025);
      expect(delay).toBeLessThanOrEqual(1);
    }
    expect(reconnectBackoffSeconds(30)).toBeGreaterThanOrEqual(0.5);
  });
});

describe("preparedTexts", () => {
  it("prepares the first texts up to its limit, then only those", () => {
    const prepare = preparedTexts(2);
    expect(["a", "b", "c", "a", "b", "c"].map(prepare)).toEqual([true, true, false, true, true, false]);
  });
});

describe.skipIf(postgresTestUrl() === undefined)("database faults on PostgreSQL", () => {
  let database: TestDatabase;
  let admin: ReturnType<typeof postgres>;

  beforeAll(async () => {
    database = await createTestDatabase("postgres");
    admin = postgres(database.url as string, { max: 2, onnotice: () => {} });
    await admin`CREATE TABLE fault_probe (label text NOT NULL)`;
  });
  afterAll(async () => {
    await admin?.end();
    await database?.drop();
  });

  it("survives the backend dying inside a transaction (postgres.js 3.4.9 null-socket nextWrite crash)", async () => {
    // Unpatched, the driver's own ROLLBACK is written to the closed socket from a setImmediate
    // callback: an uncaught TypeError that ends the process (and fails this run).
    const handle = await openDatabase({ kind: "postgres", url: database.url as string, maxConnections: 2 });
    try {
      for (let round = 0; round < 6; round++) {
        let pid: number | undefined;
        const outcome = failure(
          handle.db.transaction(async (tx) => {
            pid = rowsOf<{ pid: number }>(await tx.execute(sql`SELECT pg_backend_pid() AS pid`))[0]?.pid;
            await tx.execute(sql`SELECT pg_sleep(3)`);
          }),
        );
        while (pid === undefined) await new Promise((resolve) => setTimeout(resolve, 10));
        await admin`SELECT pg_terminate_backend(${pid})`;
        expect(causeCodes(await outcome)).toContain("CONNECTION_CLOSED");
        expect(rowsOf(await handle.db.execute(sql`SELECT 1 AS one`))).toEqual([{ one: 1 }]);
      }
    } finally {
      await handle.close();
    }
  });

  // Memory: postgres.js keeps a connection's prepared statements for its whole life, one per
  // text, so texts that multiply (lists of varying length) grew the cache without bound.
  it("prepares at most its limit of distinct texts on a connection, running the rest unprepared", async () => {
    const client = postgres(database.url as string, { max: 1, onnotice: () => {} });
    try {
      const bounded = boundedClient(client, { timeoutMs: 5_000, prepare: preparedTexts(3) });
      for (let round = 0; round < 2; round++) {
        // With a parameter, so the driver uses the extended protocol (a text alone goes unprepared).
        for (let n = 1; n <= 6; n++) expect(await bounded.unsafe(`SELECT $1::int + ${n} AS n`, [0])).toEqual([{ n }]);
      }
      const [row] = await bounded.unsafe(
        "SELECT count(*)::int AS prepared FROM pg_prepared_statements WHERE statement LIKE $1",
        ["SELECT $1::int + %"],
      );
      expect(row).toEqual({ prepared: 3 });
    } finally {
      await client.end();
    }
  });

  it("cancels a statement running past the query timeout and reports it as a timeout", async () => {
    const handle = await openDatabase({
      kind: "postgres",
      url: database.url as string,
      maxConnections: 1,
      queryTimeoutMs: 300,
    });
    try {
      const error = await failure(handle.db.execute(sql`SELECT pg_sleep(30)`));
      expect(causeCodes(error)).toContain("ETIMEDOUT");
      expect(rowsOf(await handle.db.execute(sql`SELECT 1 AS one`))).toEqual([{ one: 1 }]);
    } finally {
      await handle.close();
    }
  });

  it("ends queries and transactions on a database that stops answering, and serves again once it answers", async () => {
    const relay = await freezableRelay(new URL(database.url as string));
    const handle = await openDatabase({
      kind: "postgres",
      url: relay.url(database.url as string),
      maxConnections: 1,
      queryTimeoutMs: 400,
    });
    try {
      await handle.db.execute(sql`SELECT 1`);
      relay.freeze();
      expect(causeCodes(await failure(handle.db.execute(sql`SELECT 1`)))).toContain("ETIMEDOUT");
      // The one connection is stuck: this transaction times out waiting for it, and must not
      // run its insert once the database answers again.
      const late = handle.db.transaction(async (tx) => {
        await tx.execute(sql`INSERT INTO fault_probe (label) VALUES ('late')`);
      });
      expect(causeCodes(await failure(late))).toContain("ETIMEDOUT");
      relay.thaw();
      await handle.db.execute(sql`INSERT INTO fault_probe (label) VALUES ('after')`);
      const labels = await admin<{ label: string }[]>`SELECT label FROM fault_probe ORDER BY label`;
      expect(labels.map((row) => row.label)).toEqual(["after"]);
    } finally {
      await handle.close();
      await relay.close();
    }
  });
});
