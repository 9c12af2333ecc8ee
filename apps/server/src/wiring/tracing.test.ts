import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createLogger, loadConfig } from "@gatehouse/infrastructure";
import { describe, expect, it } from "vitest";
import { createObservability } from "../observability-wiring.js";
import { traced } from "./tracing.js";

const configWith = (env: Record<string, string>) => loadConfig(env, mkdtempSync(join(tmpdir(), "gh-tracing-")));
const silent = createLogger({ level: "silent", pretty: false });

describe("tracing off costs nothing", () => {
  it("leaves ports untouched, the driver unwrapped and the API without its hook", async () => {
    const config = configWith({});
    const port = { send: async () => "sent" };
    expect(traced(config, port, "smtp", ["send"])).toBe(port);
    const observability = createObservability(config, silent);
    expect(observability.queryObserver).toBeUndefined();
    expect(observability.appOptions).not.toHaveProperty("tracing");
    await observability.close();
  });

  it("wraps ports when OTEL_EXPORTER_OTLP_ENDPOINT is set, keeping what they answer and throw", async () => {
    const config = configWith({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://127.0.0.1:1" });
    const port = {
      send: async (to: string) => `sent to ${to}`,
      fail: async () => {
        throw new RangeError("refused");
      },
    };
    const wrapped = traced(config, port, "smtp");
    expect(wrapped).not.toBe(port);
    expect(await wrapped.send("ada")).toBe("sent to ada");
    await expect(wrapped.fail()).rejects.toThrow(RangeError);
  });
});
