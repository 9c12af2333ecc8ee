import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { DataDirInUseError, lockDataDir } from "./data-dir-lock.js";
import { openDatabase } from "./database.js";

describe("embedded database folder lock", () => {
  it("refuses a second opener while the first is alive, and frees the folder on close", async () => {
    const dataDir = join(mkdtempSync(join(tmpdir(), "gh-lock-")), "pglite");
    const first = await openDatabase({ kind: "pglite", dataDir });
    // A live process other than this one holds it: simulate with a long-lived child's pid.
    const child = spawn(process.execPath, ["-e", "setTimeout(() => {}, 10000)"]);
    try {
      await first.close();
      writeFileSync(`${dataDir}.lock`, String(child.pid));
      await expect(openDatabase({ kind: "pglite", dataDir })).rejects.toBeInstanceOf(DataDirInUseError);
    } finally {
      child.kill();
    }
    await new Promise((resolve) => child.on("exit", resolve));
    const second = await openDatabase({ kind: "pglite", dataDir });
    expect(existsSync(`${dataDir}.lock`)).toBe(true);
    await second.close();
    expect(existsSync(`${dataDir}.lock`)).toBe(false);
  });

  it("takes over a lock left by a process that died", () => {
    const dataDir = join(mkdtempSync(join(tmpdir(), "gh-lock-")), "pglite");
    writeFileSync(`${dataDir}.lock`, "999999999");
    const release = lockDataDir(dataDir);
    release();
    expect(existsSync(`${dataDir}.lock`)).toBe(false);
  });
});
