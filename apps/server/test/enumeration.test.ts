import { performance } from "node:perf_hooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LiveResponse, type LiveServer, startLiveServer } from "./support/live-server.js";
import { testDatabaseKinds, uniqueUser } from "./support/test-server.js";

const TRIES = 50;
const MAX_MEDIAN_GAP_MS = 5;

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

/** What must not differ between a known and an unknown address: status, body shape and message. */
function visible(response: LiveResponse) {
  const data = response.body.data as Record<string, unknown> | undefined;
  return {
    status: response.status,
    keys: Object.keys(response.body).sort(),
    message: response.body.message,
    error: response.body.error === undefined ? undefined : (response.body.error as { code: string }).code,
    dataShape:
      data === undefined
        ? undefined
        : Object.entries(data)
            .map(([key, value]) => [key, typeof value])
            .sort(),
  };
}

/**
 * Alternates known and unknown requests (so drift in machine load hits both alike), checks every
 * pair looks the same, and returns both medians. Warm-up requests are not measured.
 */
async function compare(send: (known: boolean, i: number) => Promise<LiveResponse>) {
  for (let i = 0; i < 5; i += 1) {
    await send(true, -1 - i);
    await send(false, -1 - i);
  }
  const times = { known: [] as number[], unknown: [] as number[] };
  for (let i = 0; i < TRIES; i += 1) {
    const order = i % 2 === 0 ? [true, false] : [false, true];
    const seen: Array<ReturnType<typeof visible>> = [];
    for (const known of order) {
      const started = performance.now();
      const response = await send(known, i);
      times[known ? "known" : "unknown"].push(performance.now() - started);
      seen.push(visible(response));
    }
    expect(seen[0]).toEqual(seen[1]);
  }
  const result = { known: median(times.known), unknown: median(times.unknown) };
  return { ...result, gap: Math.abs(result.known - result.unknown) };
}

// Forgot-password, resend and (with ENUMERATION_PROTECTION) register answer a known
// and an unknown address with the same status and body, and their median timings over 50 tries
// each differ by less than 5 ms. Runs on PostgreSQL when configured.
describe("no account enumeration through answers or timing", () => {
  let live: LiveServer;
  const gaps: Record<string, unknown> = {};
  beforeAll(async () => {
    const kind = testDatabaseKinds().at(-1) ?? "pglite";
    live = await startLiveServer(
      {
        ENUMERATION_PROTECTION: "true",
        RESEND_COOLDOWN_SECONDS: "0",
        RESEND_MAX_PER_DAY: "10000",
      },
      kind,
    );
  });
  afterAll(async () => {
    console.info(`enumeration timing medians (ms): ${JSON.stringify(gaps)}`);
    await live.close();
  });

  it("forgot-password", async () => {
    const known = uniqueUser("fp");
    await live.call("POST", "/api/v1/register", known);
    const result = await compare((isKnown, i) =>
      live.call("POST", "/api/v1/auth/forgot-password", {
        email: isKnown ? known.email : `fp-nobody-${i}@example.com`,
      }),
    );
    gaps.forgot_password = result;
    expect(result.gap).toBeLessThan(MAX_MEDIAN_GAP_MS);
  }, 120_000);

  it("resend", async () => {
    const pending = uniqueUser("rs");
    await live.call("POST", "/api/v1/register", pending);
    const result = await compare((isKnown, i) =>
      live.call("POST", "/api/v1/register/resend", { email: isKnown ? pending.email : `rs-nobody-${i}@example.com` }),
    );
    gaps.resend = result;
    expect(result.gap).toBeLessThan(MAX_MEDIAN_GAP_MS);
  }, 120_000);

  it("register with ENUMERATION_PROTECTION", async () => {
    const owner = uniqueUser("rg");
    await live.call("POST", "/api/v1/register", owner);
    const result = await compare((isKnown) => {
      const fresh = uniqueUser("rg");
      return live.call("POST", "/api/v1/register", isKnown ? { ...fresh, email: owner.email } : fresh);
    });
    gaps.register = result;
    expect(result.gap).toBeLessThan(MAX_MEDIAN_GAP_MS);
  }, 240_000);
});
