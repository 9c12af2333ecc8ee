import { readFileSync, rmSync, writeFileSync } from "node:fs";

/** Another live process has the embedded database open. */
export class DataDirInUseError extends Error {
  override readonly name = "DataDirInUseError";
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * PGlite is a single-process database and does not lock its folder: a second process (another
 * server, or the worker) opening it at the same time would corrupt it. This lock file, holding
 * the owner's pid, makes the second one fail fast instead. A lock left by a dead process is
 * taken over. Returns the release function.
 */
export function lockDataDir(dataDir: string): () => void {
  const path = `${dataDir}.lock`;
  for (let attempt = 0; attempt < 2; attempt += 1) {
    try {
      writeFileSync(path, String(process.pid), { flag: "wx" });
      return () => rmSync(path, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const owner = Number.parseInt(readFileSync(path, "utf8"), 10);
      if (Number.isInteger(owner) && owner !== process.pid && isAlive(owner)) {
        throw new DataDirInUseError(
          `the embedded database ${dataDir} is in use by process ${owner}; stop it first, or set DATABASE_URL`,
        );
      }
      rmSync(path, { force: true });
    }
  }
  throw new DataDirInUseError(`could not lock the embedded database ${dataDir}`);
}
