import { describe, expect, it } from "vitest";
import { makeHostInfo } from "./host-info.js";

describe("makeHostInfo", () => {
  it("measures CPU over an interval: a first sample waits for it, a second one measures since the first", async () => {
    const host = makeHostInfo({ cpuIntervalMs: 300, reuseWithinMs: 60_000 });
    let started = performance.now();
    await host.sample();
    expect(performance.now() - started).toBeGreaterThanOrEqual(290);
    // Burn CPU past the interval, so the next sample measures since the previous one.
    const until = performance.now() + 350;
    while (performance.now() < until) Math.sqrt(Math.random());
    started = performance.now();
    const busy = await host.sample();
    // No fresh interval was waited for.
    expect(performance.now() - started).toBeLessThan(250);
    expect(busy.cpu_usage).toBeGreaterThan(0);
  });
});
