import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ObservedServer, startObservedServer } from "./support/observed-server.js";
import { Scrape } from "./support/prometheus.js";

const DASHBOARD = new URL("../../../docker/grafana/dashboards/gatehouse.json", import.meta.url);
const TOKEN = "dashboard-test-token-0123456789";
const HISTOGRAM_SERIES = /_(bucket|sum|count)$/;

interface Panel {
  readonly title: string;
  readonly targets: ReadonlyArray<{ readonly expr: string }>;
}

/** The metric names a PromQL expression reads: ours, prom-client's process_* and nodejs_*. */
function metricNames(expr: string): string[] {
  return [...expr.matchAll(/\b(?:api|gatehouse|process|nodejs)_[a-zA-Z0-9_]*/g)].map((match) => match[0]);
}

describe("the Grafana dashboard", () => {
  let t: ObservedServer;
  beforeAll(async () => {
    // With Redis, so the Redis gauge exists as in a multi-node deployment.
    t = await startObservedServer({
      METRICS_TOKEN: TOKEN,
      REDIS_URL: process.env.REDIS_URL ?? "redis://127.0.0.1:6379",
      REDIS_KEY_PREFIX: `gh-obs-${randomUUID().slice(0, 8)}:`,
    });
  });
  afterAll(async () => {
    await t.close();
  });

  it("queries only metrics that /metrics exposes", async () => {
    const panels = (JSON.parse(readFileSync(DASHBOARD, "utf8")) as { panels: Panel[] }).panels;
    const queried = new Set(panels.flatMap((panel) => panel.targets.flatMap((target) => metricNames(target.expr))));
    expect(queried.size).toBeGreaterThanOrEqual(15);
    const response = await t.app.inject({
      method: "GET",
      url: "/metrics",
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    const scrape = new Scrape(response.body);
    const missing = [...queried].filter((name) => {
      const family = scrape.types.has(name) ? name : name.replace(HISTOGRAM_SERIES, "");
      return !scrape.types.has(family) || (family !== name && scrape.types.get(family) !== "histogram");
    });
    expect(missing).toEqual([]);
    expect(scrape.value("gatehouse_redis_up")).toBe(1);
  });
});
