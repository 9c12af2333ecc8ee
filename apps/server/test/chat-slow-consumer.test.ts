import { readFileSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { RATE_LIMIT_ENV } from "@gatehouse/infrastructure";
import { createTestDatabase, postgresTestUrl, type TestDatabase } from "@gatehouse/infrastructure/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { signUp } from "./support/node-cluster.js";
import { type RunningServer, startServerProcess } from "./support/server-process.js";
import { TEST_JWT_SECRET } from "./support/test-server.js";

const MAX_BUFFERED_BYTES = 65_536;
const CONTENT_CHARS = 32_000;
const SENDERS = 4;
const MESSAGES = 1200;
const RATE = 100;
/** What a server that queued everything for the stalled socket would hold for it at the end. */
const OFFERED_BYTES = MESSAGES * CONTENT_CHARS;
/**
 * What the stalled socket may still read once it reads again: its share of the kernel's buffers
 * on both ends of the loopback connection (a few MiB each with autotuning) and the server's own
 * bounded queue. A server that queued without bound would hand it the whole flood.
 */
const BACKLOG_CEILING_BYTES = 16 * 2 ** 20;

function rssBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) * 1024;
}

const FILLER = "x".repeat(CONTENT_CHARS);
/** `t:<send time>:<sequence>:` then filler: the receiver reads the time and sequence back. */
const stamped = (sequence: number) => {
  const head = `t:${performance.now()}:${sequence}:`;
  return head + FILLER.slice(head.length);
};

/** What one reader saw of the flood: sequences and ids in arrival order, latency on this process's clock. */
interface Reader {
  readonly socket: WebSocket;
  readonly sequences: number[];
  readonly ids: bigint[];
  readonly latencies: number[];
  /** Bytes of flood message content read. */
  bytes: number;
  readonly others: Array<Record<string, unknown>>;
  closeCode: number | undefined;
  closeReason: string;
  readonly closed: Promise<number>;
}

/** A socket authorised by header and joined to `general`; keeps only what the assertions need. */
async function joined(url: string, token: string): Promise<Reader> {
  const socket = new WebSocket(url, { headers: { authorization: `Bearer ${token}` } });
  let resolveClosed: (code: number) => void = () => {};
  const reader: Reader = {
    socket,
    sequences: [],
    ids: [],
    latencies: [],
    bytes: 0,
    others: [],
    closeCode: undefined,
    closeReason: "",
    closed: new Promise((resolve) => {
      resolveClosed = resolve;
    }),
  };
  socket.on("close", (code, reason) => {
    reader.closeCode = code;
    reader.closeReason = reason.toString();
    resolveClosed(code);
  });
  await new Promise<void>((resolve, reject) => {
    socket.once("error", reject);
    socket.on("message", (data) => {
      const frame = JSON.parse(data.toString()) as Record<string, unknown>;
      const content = typeof frame.content === "string" ? frame.content : "";
      if (content.startsWith("t:")) {
        const [, sentAt, sequence] = content.split(":", 3);
        reader.latencies.push(performance.now() - Number(sentAt));
        reader.sequences.push(Number(sequence));
        reader.ids.push(BigInt(String(frame.id)));
        reader.bytes += Buffer.byteLength(content);
        return;
      }
      reader.others.push(frame);
      if (frame.type === "authenticated") socket.send(JSON.stringify({ type: "connect", room_id: "general" }));
      if (frame.type === "connected") resolve();
    });
  });
  return reader;
}

async function until(check: () => boolean, timeoutMs: number, what: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what()}`);
    await sleep(20);
  }
}

const percentile = (values: number[], p: number) =>
  [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(values.length * p))] as number;

// The real process over real TCP: a `ws` client whose socket stops reading (paused, so the
// kernel buffers fill and then the server's own queue grows) while the room is flooded.
describe("a chat socket that stops reading, against the real server process", () => {
  let server: RunningServer;
  // PostgreSQL when there is one: the embedded PGlite lives in the server's own memory and grows
  // with the rows stored, which would blur the RSS figure the test reports.
  let database: TestDatabase | undefined;
  let wsUrl: string;
  const node = {
    request: async (method: string, path: string, options: { body?: unknown } = {}) => {
      const response = await fetch(`${server.baseUrl}${path}`, {
        method,
        headers: { "content-type": "application/json" },
        body: JSON.stringify(options.body),
      });
      return { status: response.status, headers: response.headers, body: await response.json() };
    },
  };

  beforeAll(async () => {
    database = postgresTestUrl() === undefined ? undefined : await createTestDatabase("postgres");
    server = await startServerProcess({
      ...(database === undefined ? {} : { DATABASE_URL: database.url as string }),
      ...Object.fromEntries(Object.values(RATE_LIMIT_ENV).map((prefix) => [`${prefix}_REQUESTS`, "1000000"])),
      LOGIN_DELAY_MAX_SECONDS: "0",
      REQUIRE_EMAIL_VERIFICATION: "false",
      JWT_SECRET: TEST_JWT_SECRET,
      CHAT_MAX_BUFFERED_BYTES: String(MAX_BUFFERED_BYTES),
      CHAT_MAX_MESSAGE_LENGTH: String(CONTENT_CHARS),
      CHAT_SEND_RATE_LIMIT: "100000",
    });
    wsUrl = `${server.baseUrl.replace(/^http/, "ws")}/api/v1/chat/ws`;
  });
  afterAll(async () => {
    server?.child.kill("SIGTERM");
    await server?.exited;
    await database?.drop();
  });

  it("closes it with 1013 past CHAT_MAX_BUFFERED_BYTES, holds no backlog for it, and the room keeps its pace", async () => {
    const [sender, fast, slow] = await Promise.all(["sender", "fast", "slow"].map((tag) => signUp(node as never, tag)));
    const writers = await Promise.all(
      Array.from({ length: SENDERS }, () => joined(wsUrl, sender?.accessToken as string)),
    );
    const readers = await Promise.all([1, 2, 3].map(() => joined(wsUrl, fast?.accessToken as string)));
    const stalled = await joined(wsUrl, slow?.accessToken as string);
    stalled.socket.pause();

    let sent = 0;
    let sentWhenClosed: number | undefined;
    let deliveredWhenClosed = 0;
    const left = () => readers[0]?.others.some((f) => f.type === "user_left" && f.user_id === slow?.userId) ?? false;
    const watch = until(left, 60_000, () => "the stalled socket's user_left").then(() => {
      sentWhenClosed = sent;
      deliveredWhenClosed = Math.min(...readers.map((reader) => reader.sequences.length));
      // Read again at once: the close frame queued behind the unread data comes through before
      // the server cuts the connection.
      stalled.socket.resume();
    });
    watch.catch(() => {});

    const pid = server.child.pid as number;
    const rssBefore = rssBytes(pid);
    let rssPeak = rssBefore;
    const started = performance.now();
    for (; sent < MESSAGES; sent += 1) {
      const wait = started + (sent * 1000) / RATE - performance.now();
      if (wait > 1) await sleep(wait);
      const content = stamped(sent);
      writers[sent % SENDERS]?.socket.send(JSON.stringify({ type: "message", room_id: "general", content }));
      if (sent % 100 === 0) rssPeak = Math.max(rssPeak, rssBytes(pid));
    }
    await until(
      () => {
        // A fast reader closed (1013 too, or the server gone) fails at once, not at the timeout.
        const closed = readers.find((reader) => reader.closeCode !== undefined);
        if (closed) throw new Error(`a fast reader was closed: ${closed.closeCode} ${closed.closeReason}`);
        return readers.every((reader) => reader.sequences.length >= MESSAGES);
      },
      60_000,
      () => `the fast readers (have ${readers.map((reader) => reader.sequences.length)})`,
    );
    rssPeak = Math.max(rssPeak, rssBytes(pid));
    // Reported, not asserted: on a busy machine the RSS moves by tens of MiB with garbage
    // collection timing (a run with the bound off grew less than one with it on). The bytes the
    // stalled socket can still read below bound the server's queue for it directly.
    const growth = rssPeak - rssBefore;
    const latencies = readers.flatMap((reader) => reader.latencies);
    const p99 = percentile(latencies, 0.99);
    // Had it not been cut off, reading again now would hand it the whole backlog.
    stalled.socket.resume();
    await until(
      () => stalled.closeCode !== undefined,
      5000,
      () => "the stalled socket to close",
    ).catch(() => {});
    console.info(
      `slow consumer: closed after ${sentWhenClosed} of ${MESSAGES} messages sent (fast readers had ${deliveredWhenClosed}); ` +
        `the stalled socket read ${(stalled.bytes / 2 ** 20).toFixed(1)} MiB in all; fast readers p50 ${percentile(latencies, 0.5).toFixed(1)} ms, p99 ${p99.toFixed(1)} ms; ` +
        `server RSS growth ${(growth / 2 ** 20).toFixed(1)} MiB for ${(OFFERED_BYTES / 2 ** 20).toFixed(0)} MiB offered`,
    );

    // Closed with 1013 early in the flood, having read a small part of it.
    expect(stalled.closeCode).toBe(1013);
    expect(stalled.closeReason).toBe("reading too slowly");
    expect(sentWhenClosed as number).toBeLessThan(MESSAGES / 4);
    expect(stalled.sequences.length).toBeLessThan(MESSAGES / 4);

    // Meanwhile the others kept up (nothing waited for the stalled socket), and every one of
    // them got every message once, in order.
    expect(deliveredWhenClosed).toBeGreaterThan((sentWhenClosed as number) / 4);
    // (Four senders' sockets race each other to the database: the room's id order is the order.)
    for (const reader of readers) {
      expect([...reader.sequences].sort((a, b) => a - b)).toEqual(
        Array.from({ length: MESSAGES }, (_, index) => index),
      );
      expect(reader.ids.every((id, index) => index === 0 || id > (reader.ids[index - 1] as bigint))).toBe(true);
      expect(reader.sequences).toEqual(readers[0]?.sequences);
    }
    expect(p99).toBeLessThan(2500);

    // What the server queued for the stalled socket stayed bounded: all it could read afterwards
    // was what the kernel buffers and the bounded queue held when it was cut off.
    expect(stalled.bytes).toBeLessThan(BACKLOG_CEILING_BYTES);

    for (const client of [...writers, ...readers]) client.socket.close();
  }, 120_000);
});
