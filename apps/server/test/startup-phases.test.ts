import { describe, expect, it } from "vitest";
import { StartupPhases } from "../src/startup-phases.js";

function recorder() {
  const lines: Array<{ fields: unknown; text: string }> = [];
  return { lines, logger: { info: (fields: unknown, text: string) => lines.push({ fields, text }) } };
}

describe("StartupPhases", () => {
  it("logs a line as each announced phase begins and sums the durations for the final line", async () => {
    let clock = 250;
    const { lines, logger } = recorder();
    const phases = new StartupPhases(logger as never, () => clock);
    const opened = await phases.run("database", async (announce) => {
      announce("initialising embedded database…", "embedded database");
      clock += 1250;
      return "handle";
    });
    await phases.run("migrations", async (announce) => {
      announce("applying 7 migrations…", "7 migrations");
      clock += 2100;
    });
    expect(opened).toBe("handle");
    expect(lines.map((line) => line.text)).toEqual(["initialising embedded database…", "applying 7 migrations…"]);
    expect(phases.summary()).toEqual({
      text: "started in 3.6 s (embedded database 1.3 s, 7 migrations 2.1 s)",
      fields: { startup_ms: 3600, database_ms: 1250, migrations_ms: 2100 },
    });
  });

  it("leaves out a phase with nothing to do, and still passes a failure through", async () => {
    let clock = 0;
    const { lines, logger } = recorder();
    const phases = new StartupPhases(logger as never, () => clock);
    await phases.run("migrations", async () => {
      clock += 40;
    });
    await expect(
      phases.run("database", async (announce) => {
        announce("initialising embedded database…");
        throw new Error("disk full");
      }),
    ).rejects.toThrow("disk full");
    expect(lines).toHaveLength(1);
    expect(phases.summary().text).toBe("started in 0.0 s");
  });
});
