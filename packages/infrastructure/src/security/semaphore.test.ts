import { describe, expect, it } from "vitest";
import { QueueFullError, Semaphore } from "./semaphore.js";

describe("Semaphore", () => {
  it("runs at most `limit` tasks at once, in FIFO order, and frees slots on failure", async () => {
    const gate = new Semaphore(2);
    const started: number[] = [];
    let running = 0;
    let peak = 0;
    const task = (id: number, fail = false) =>
      gate.run(async () => {
        started.push(id);
        running += 1;
        peak = Math.max(peak, running);
        await new Promise((resolve) => setTimeout(resolve, 10));
        running -= 1;
        if (fail) throw new Error(`task ${id} failed`);
        return id;
      });
    const results = await Promise.allSettled([task(1), task(2, true), task(3), task(4), task(5)]);
    expect(peak).toBe(2);
    expect(started).toEqual([1, 2, 3, 4, 5]);
    expect(results.map((result) => result.status)).toEqual([
      "fulfilled",
      "rejected",
      "fulfilled",
      "fulfilled",
      "fulfilled",
    ]);
    expect(gate.inFlight).toBe(0);
    expect(gate.queued).toBe(0);
  });

  it("rejects a non-positive limit", () => {
    expect(() => new Semaphore(0)).toThrow(RangeError);
  });
});

describe("Semaphore with a bounded queue", () => {
  it("refuses one more waiter than maxQueued at once, and takes new work once a slot frees", async () => {
    const gate = new Semaphore(1, 1);
    let release: () => void = () => {};
    const holding = gate.run(() => new Promise<void>((resolve) => (release = resolve)));
    const queued = gate.run(async () => "queued ran");
    await expect(gate.run(async () => "never")).rejects.toBeInstanceOf(QueueFullError);
    expect(gate.queued).toBe(1);
    release();
    await holding;
    await expect(queued).resolves.toBe("queued ran");
    await expect(gate.run(async () => "after")).resolves.toBe("after");
  });
});
