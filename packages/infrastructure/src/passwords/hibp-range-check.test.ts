import { createHash } from "node:crypto";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeCommonPasswordScreen } from "./common-passwords.js";
import { makeHibpRangeCheck } from "./hibp-range-check.js";

const BREACHED = "tr0ub4dor&3-breached";
const sha1 = (text: string) => createHash("sha1").update(text, "utf8").digest("hex").toUpperCase();

/** A local server speaking the range API's shape: suffix:count lines, padding rows with count 0. */
describe("makeHibpRangeCheck against a local range server", () => {
  let server: Server;
  let base = "";
  const seen: { url: string; headers: IncomingHttpHeaders }[] = [];
  const padded = sha1("padded-only");
  beforeAll(async () => {
    server = createServer((request, response) => {
      seen.push({ url: request.url ?? "", headers: request.headers });
      if (request.url?.startsWith("/slow/")) return void setTimeout(() => response.end(""), 3000);
      if (request.url?.startsWith("/broken/")) return void response.writeHead(503).end();
      const lines = [`${sha1(BREACHED).slice(5)}:42`, `${padded.slice(5)}:0`, "0000000000000000000000000000000000A:0"];
      response.writeHead(200, { "content-type": "text/plain" }).end(lines.join("\r\n"));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it("refuses a hit and sends only the five-character prefix, with Add-Padding", async () => {
    const check = makeHibpRangeCheck({ url: base, timeoutMs: 1500, failClosed: false });
    expect(await check.isRefused(BREACHED, [])).toBe(true);
    const last = seen.at(-1);
    expect(last?.url).toBe(`/range/${sha1(BREACHED).slice(0, 5)}`);
    expect(last?.headers["add-padding"]).toBe("true");
    expect(JSON.stringify(seen)).not.toContain(sha1(BREACHED).slice(5));
  });

  it("passes a miss, and a padding row (count 0) never matches", async () => {
    const check = makeHibpRangeCheck({ url: base, timeoutMs: 1500, failClosed: false });
    expect(await check.isRefused("a never breached passphrase", [])).toBe(false);
    expect(await check.isRefused("padded-only", [])).toBe(false);
  });

  it("fails open on a timeout by default and reports it, within the bound", async () => {
    const reasons: string[] = [];
    const check = makeHibpRangeCheck({
      url: `${base}/slow`,
      timeoutMs: 200,
      failClosed: false,
      onUnavailable: (r) => reasons.push(r),
    });
    const started = Date.now();
    expect(await check.isRefused(BREACHED, [])).toBe(false);
    expect(Date.now() - started).toBeLessThan(2500);
    expect(reasons).toHaveLength(1);
  });

  it("fails closed when configured: a timeout or an error answer refuses", async () => {
    expect(await makeHibpRangeCheck({ url: `${base}/slow`, timeoutMs: 200, failClosed: true }).isRefused("x", [])).toBe(
      true,
    );
    expect(
      await makeHibpRangeCheck({ url: `${base}/broken`, timeoutMs: 1500, failClosed: true }).isRefused("x", []),
    ).toBe(true);
  });
});

describe("makeCommonPasswordScreen (the shipped list)", () => {
  it("knows the list entries and not a passphrase", async () => {
    const screen = makeCommonPasswordScreen();
    expect(await screen.isRefused("", ["password1"])).toBe(true);
    expect(await screen.isRefused("", ["p@ssw0rd"])).toBe(true);
    expect(await screen.isRefused("", ["correct horse battery staple"])).toBe(false);
  });
});
