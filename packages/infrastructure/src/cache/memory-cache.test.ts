import type { Clock } from "@gatehouse/domain";
import { describe, expect, it } from "vitest";
import { MemoryCache } from "./memory-cache.js";

function fakeClock(start = 0) {
  let now = start;
  const clock: Clock = { now: () => new Date(now) };
  return { clock, advance: (ms: number) => (now += ms) };
}

describe("MemoryCache", () => {
  it("returns what was stored until the TTL passes", async () => {
    const { clock, advance } = fakeClock();
    const cache = new MemoryCache(clock);
    await cache.set("user:1", { name: "ada" }, 10);
    expect(await cache.get("user:1")).toEqual({ name: "ada" });
    advance(9_999);
    expect(await cache.get("user:1")).toEqual({ name: "ada" });
    advance(1);
    expect(await cache.get("user:1")).toBeUndefined();
  });

  it("hands out copies, so mutating a read value does not change the cache", async () => {
    const cache = new MemoryCache(fakeClock().clock);
    await cache.set("k", { roles: ["user"] }, 60);
    const first = await cache.get<{ roles: string[] }>("k");
    first?.roles.push("super_admin");
    expect(await cache.get("k")).toEqual({ roles: ["user"] });
  });

  it("deletes keys", async () => {
    const cache = new MemoryCache(fakeClock().clock);
    await cache.set("a", 1, 60);
    await cache.set("b", 2, 60);
    await cache.delete(["a", "missing"]);
    expect(await cache.get("a")).toBeUndefined();
    expect(await cache.get("b")).toBe(2);
  });

  it("evicts the oldest entry past its bound", async () => {
    const cache = new MemoryCache(fakeClock().clock, 2);
    await cache.set("a", 1, 60);
    await cache.set("b", 2, 60);
    await cache.set("c", 3, 60);
    expect(cache.size).toBe(2);
    expect(await cache.get("a")).toBeUndefined();
    expect(await cache.get("c")).toBe(3);
  });
});
