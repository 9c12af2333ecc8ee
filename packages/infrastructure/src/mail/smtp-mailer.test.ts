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
const SHORT = { connection: 300, greeting: 300, socket: 300 };

const servers: Server[] = [];
const sockets: Socket[] = [];
afterEach(async () => {
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

async function timeSend(url: string): Promise<{ ms: number; error: unknown }> {
  const mailer = makeSmtpMailer({ url, from: "auth@example.com", product: "Gatehouse", timeoutsMs: SHORT });
  const started = performance.now();
  const error = await mailer.send(MAIL).then(
    () => undefined,
    (failure: unknown) => failure,
  );
  mailer.close();
  return { ms: performance.now() - started, error };
}

describe("SMTP mailer timeouts", () => {
  it("bounds every phase by 10 s by default, well below the outbox lease", () => {
    expect(SMTP_TIMEOUTS_MS).toEqual({ connection: 10_000, greeting: 10_000, socket: 10_000 });
  });

  // Regression: a server that accepts the connection and never greets once hung the attempt.
  it("fails a send to a server that accepts and never greets within the greeting timeout", async () => {
    const { ms, error } = await timeSend(await frozenServer([]));
    expect(error).toBeInstanceOf(Error);
    expect(ms).toBeGreaterThanOrEqual(250);
    expect(ms).toBeLessThan(2000);
  });

  // Regression: a server frozen mid-conversation (after EHLO) held the attempt for 30 s.
  it("fails a send to a server that freezes after EHLO within the socket timeout", async () => {
    const { ms, error } = await timeSend(await frozenServer(["220 sink ESMTP", "250 sink"]));
    expect(error).toBeInstanceOf(Error);
    expect(ms).toBeGreaterThanOrEqual(250);
    expect(ms).toBeLessThan(2000);
  });

  it("reports a frozen server in check() within its bound, naming SMTP_URL and not the URL", async () => {
    const url = (await frozenServer([])).replace("smtp://", "smtp://mailer:s3cret-pass@");
    const mailer = makeSmtpMailer({ url, from: "auth@example.com", product: "Gatehouse", timeoutsMs: SHORT });
    const line = await mailer.check(1000);
    mailer.close();
    expect(line).toMatch(/^SMTP_URL: cannot reach 127\.0\.0\.1:\d+: /);
    expect(line).not.toContain("s3cret-pass");
  });
});
