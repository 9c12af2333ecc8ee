import type { RefusalCount } from "@gatehouse/domain";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { FakeClock } from "../testing/index.js";
import { makeRefusalBuffer } from "./refusal-buffer.js";
import { makeRateLimitRefusalCleanupTask } from "./refusal-retention.js";

/** A refusal log that keeps every `add` call, and fails while `down` is set. */
function recordingLog() {
  const calls: RefusalCount[][] = [];
  const state = { down: false };
  return {
    calls,
    state,
    log: {
      add: async (counts: readonly RefusalCount[]) => {
        if (state.down) throw new Error("database unavailable");
        calls.push([...counts]);
      },
    },
  };
}

describe("refusal buffer", () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("writes nothing per refusal: one increment per (UTC day, category) at each flush", async () => {
    const clock = new FakeClock("2030-05-03T23:59:58.000Z");
    const { log, calls } = recordingLog();
    const buffer = makeRefusalBuffer({ log, clock });
    for (let i = 0; i < 500; i += 1) buffer.record("auth");
    buffer.record("login_failures");
    clock.advanceMs(4000); // past midnight: the next refusals belong to the new day
    buffer.record("auth");
    expect(calls).toEqual([]);
    await buffer.flush();
    expect(calls).toEqual([
      [
        { day: "2030-05-03", category: "auth", count: 500 },
        { day: "2030-05-03", category: "login_failures", count: 1 },
        { day: "2030-05-04", category: "auth", count: 1 },
      ],
    ]);
    // Flushed counts are gone; an empty flush writes nothing.
    await buffer.flush();
    expect(calls).toHaveLength(1);
  });

  it("flushes every interval once started, and what is left when stopped", async () => {
    const clock = new FakeClock("2030-05-03T12:00:00.000Z");
    const { log, calls } = recordingLog();
    const buffer = makeRefusalBuffer({ log, clock });
    buffer.start(15_000);
    buffer.record("api");
    await vi.advanceTimersByTimeAsync(14_999);
    expect(calls).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(calls).toEqual([[{ day: "2030-05-03", category: "api", count: 1 }]]);
    buffer.record("admin");
    buffer.record("admin");
    await buffer.stop();
    expect(calls[1]).toEqual([{ day: "2030-05-03", category: "admin", count: 2 }]);
    // Stopped: no further ticks.
    buffer.record("api");
    await vi.advanceTimersByTimeAsync(60_000);
    expect(calls).toHaveLength(2);
  });

  it("keeps the counts of a failed flush for the next one and reports the failure", async () => {
    const clock = new FakeClock("2030-05-03T12:00:00.000Z");
    const { log, calls, state } = recordingLog();
    const errors: unknown[] = [];
    const buffer = makeRefusalBuffer({ log, clock, onFlushError: (error) => errors.push(error) });
    buffer.start(10_000);
    buffer.record("refresh");
    state.down = true;
    await vi.advanceTimersByTimeAsync(10_000);
    expect(errors).toHaveLength(1);
    expect(calls).toEqual([]);
    buffer.record("refresh");
    state.down = false;
    await vi.advanceTimersByTimeAsync(10_000);
    expect(calls).toEqual([[{ day: "2030-05-03", category: "refresh", count: 2 }]]);
    await buffer.stop();
  });

  it("a flush asked for while one is in flight does not send the same counts twice", async () => {
    const clock = new FakeClock("2030-05-03T12:00:00.000Z");
    const sent: RefusalCount[][] = [];
    let release: () => void = () => {};
    const log = {
      add: async (counts: readonly RefusalCount[]) => {
        sent.push([...counts]);
        if (sent.length === 1) await new Promise<void>((resolve) => (release = resolve));
      },
    };
    const buffer = makeRefusalBuffer({ log, clock });
    buffer.record("auth");
    const first = buffer.flush();
    await vi.advanceTimersByTimeAsync(0);
    expect(sent).toHaveLength(1); // the first write hangs
    buffer.record("auth");
    const second = buffer.flush();
    await vi.advanceTimersByTimeAsync(0);
    expect(sent).toHaveLength(1); // the second waits for it
    release();
    await Promise.all([first, second]);
    expect(sent).toEqual([
      [{ day: "2030-05-03", category: "auth", count: 1 }],
      [{ day: "2030-05-03", category: "auth", count: 1 }],
    ]);
  });
});

describe("refusal cleanup task", () => {
  it("deletes the days older than the retention (90 by default)", async () => {
    const asked: string[] = [];
    const task = makeRateLimitRefusalCleanupTask({
      log: {
        deleteDaysBefore: async (day) => {
          asked.push(day);
          return 4;
        },
      },
    });
    expect(await task.run(new Date("2030-05-03T12:00:00.000Z"))).toEqual({ rate_limit_refusal_rows_deleted: 4 });
    expect(asked).toEqual(["2030-02-02"]);
  });
});
