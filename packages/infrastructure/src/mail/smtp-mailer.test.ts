import type { AddressInfo } from "node:net";
import { createServer, type Server, type Socket } from "node:net";
import type { OutgoingMail } from "@gatehouse/domain";
import { afterEach, describe, expect, it } from "vitest";
import { makeSmtpMailer, SMTP_TIMEOUTS_MS } from "./smtp-mailer.js";

const MAIL: OutgoingMail = {
  to: "ada@example.com",
  template: "password-reset",
  data: { username: "ada", code: "482913", link: "https://id.example.com/reset", expiresAt: "2030-01-01T00:00:00Z" },
};
const SHORT = { connection: 500, greeting: 500, socket: 500, send: 1500 };

const servers: Server[] = [];
const sockets: Socket[] = [];
const mailers: Array<{ close(): void }> = [];
afterEach(async () => {
  for (const mailer of mailers.splice(0)) mailer.close();
  for (const socket of sockets.splice(0)) socket.destroy();
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

/**
 * A raw TCP server that plays a frozen mail server: it accepts, optionally speaks the first
 * `answers` lines, one per line it receives, of a conversation, then never writes again (what a SIGSTOPped server does).
 */
async function frozenServer(answers: readonly string[]): Promise<string> {
  const server = createServer((socket) => {
    sockets.push(socket);
    const pending = [...answers];
    const next = () => {
      const line = pending.shift();
      if (line !== undefined) socket.write(`${line}\r\n`);
    };
    next();
    socket.on("data", next);
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `smtp://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/**
 * A minimal SMTP server that accepts every message, and a switch that freezes it: from then on
 * nothing is answered, on open (pooled) connections and new ones alike.
 */
async function freezableServer(): Promise<{ url: string; freeze: () => void; accepted: () => number }> {
  let frozen = false;
  let accepted = 0;
  const server = createServer((socket) => {
    sockets.push(socket);
    let inData = false;
    let buffered = "";
    const answer = (line: string) => {
      if (!frozen) socket.write(`${line}\r\n`);
    };
    answer("220 sink ESMTP");
    socket.on("data", (chunk: Buffer) => {
      if (frozen) return;
      buffered += chunk.toString();
      for (let end = buffered.indexOf("\r\n"); end >= 0; end = buffered.indexOf("\r\n")) {
        const line = buffered.slice(0, end);
        buffered = buffered.slice(end + 2);
        if (inData) {
          if (line === ".") {
            inData = false;
            accepted += 1;
            answer("250 queued");
          }
        } else if (line.startsWith("DATA")) {
          inData = true;
          answer("354 go on");
        } else if (line.startsWith("QUIT")) socket.end("221 bye\r\n");
        else answer("250 ok");
      }
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `smtp://127.0.0.1:${(server.address() as AddressInfo).port}`,
    freeze: () => {
      frozen = true;
    },
    accepted: () => accepted,
  };
}

async function timeSend(url: string, mailer = shortMailer(url)): Promise<{ ms: number; error: unknown }> {
  const started = performance.now();
  const error = await mailer.send(MAIL).then(
    () => undefined,
    (failure: unknown) => failure,
  );
  return { ms: performance.now() - started, error };
}

function shortMailer(url: string) {
  const mailer = makeSmtpMailer({ url, from: "auth@example.com", product: "Gatehouse", timeoutsMs: SHORT });
  mailers.push(mailer);
  return mailer;
}

describe("SMTP mailer timeouts", () => {
  it("bounds every phase by 10 s by default, well below the outbox lease", () => {
    expect(SMTP_TIMEOUTS_MS).toEqual({ connection: 10_000, greeting: 10_000, socket: 10_000, send: 20_000 });
  });

  // Regression: a server that accepts the connection and never greets once hung the attempt.
  it("fails a send to a server that accepts and never greets within the greeting timeout", async () => {
    const { ms, error } = await timeSend(await frozenServer([]));
    expect(error).toBeInstanceOf(Error);
    expect(ms).toBeGreaterThanOrEqual(450);
    expect(ms).toBeLessThan(1500);
  });

  // Regression: a server frozen mid-conversation (after EHLO) held the attempt for 30 s.
  it("fails a send to a server that freezes after EHLO within the socket timeout", async () => {
    const { ms, error } = await timeSend(await frozenServer(["220 sink ESMTP", "250 sink"]));
    expect(error).toBeInstanceOf(Error);
    expect(ms).toBeGreaterThanOrEqual(450);
    expect(ms).toBeLessThan(1500);
  });

  // Regression: the pool re-queued a send whose pooled connection froze onto a new connection
  // (up to five times), so one outbox attempt on a frozen server took two timeouts or more.
  it("fails a send on a pooled connection that froze within one socket timeout, not one per re-queue", async () => {
    const smtp = await freezableServer();
    const mailer = shortMailer(smtp.url);
    expect((await timeSend(smtp.url, mailer)).error).toBeUndefined();
    expect(smtp.accepted()).toBe(1);
    smtp.freeze();
    const { ms, error } = await timeSend(smtp.url, mailer);
    expect(error).toBeInstanceOf(Error);
    expect(ms).toBeGreaterThanOrEqual(450);
    expect(ms).toBeLessThan(900);
  });

  // Regression: a server answering EHLO with an endless multi-line reply, a line every 100 ms,
  // kept the socket busy, so no silence timeout ever fired and the attempt never ended.
  it("ends a send to a server that trickles its replies within the whole-attempt bound", async () => {
    const server = createServer((socket) => {
      sockets.push(socket);
      socket.write("220 sink ESMTP\r\n");
      let drip: NodeJS.Timeout | undefined;
      socket.once("data", () => {
        drip = setInterval(() => socket.write("250-still thinking\r\n"), 100);
      });
      socket.on("close", () => clearInterval(drip));
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { ms, error } = await timeSend(`smtp://127.0.0.1:${(server.address() as AddressInfo).port}`);
    expect(error).toBeInstanceOf(Error);
    expect(ms).toBeGreaterThanOrEqual(1400);
    expect(ms).toBeLessThan(2500);
  });

  it("fails a send in flight at once when the mailer closes (shutdown does not wait for a frozen server)", async () => {
    const url = await frozenServer([]);
    const mailer = shortMailer(url);
    const started = performance.now();
    const sending = mailer.send(MAIL).then(
      () => undefined,
      (failure: unknown) => failure,
    );
    await new Promise((resolve) => setTimeout(resolve, 100));
    mailer.close();
    expect(await sending).toBeInstanceOf(Error);
    expect(performance.now() - started).toBeLessThan(400);
  });

  it("reports a frozen server in check() within its bound, naming SMTP_URL and not the URL", async () => {
    const url = (await frozenServer([])).replace("smtp://", "smtp://mailer:s3cret-pass@");
    const line = await shortMailer(url).check(2000);
    expect(line).toMatch(/^SMTP_URL: cannot reach 127\.0\.0\.1:\d+: /);
    expect(line).not.toContain("s3cret-pass");
  });
});
