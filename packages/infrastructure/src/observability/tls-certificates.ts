import { readFileSync, unwatchFile, watchFile } from "node:fs";

export interface TlsPaths {
  readonly certPath: string;
  readonly keyPath: string;
}

/** Key and certificate chain as Node's TLS takes them, with TLS 1.2 as the oldest version offered. */
export interface TlsMaterial {
  readonly cert: Buffer;
  readonly key: Buffer;
  readonly minVersion: "TLSv1.2";
}

export function readTlsMaterial(paths: TlsPaths): TlsMaterial {
  return { cert: readFileSync(paths.certPath), key: readFileSync(paths.keyPath), minVersion: "TLSv1.2" };
}

/**
 * Calls `onChange` when either file changes. Polls (`watchFile`) rather than `fs.watch`: a
 * certificate replaced by rename, or a Kubernetes secret swapped through a symlink, is seen
 * either way. Returns the function that stops watching.
 */
export function watchTlsFiles(paths: TlsPaths, onChange: () => void, intervalMs = 2_000): () => void {
  const listener = (current: { mtimeMs: number }, previous: { mtimeMs: number }) => {
    if (current.mtimeMs !== previous.mtimeMs) onChange();
  };
  for (const path of [paths.certPath, paths.keyPath]) watchFile(path, { interval: intervalMs }, listener);
  return () => {
    for (const path of [paths.certPath, paths.keyPath]) unwatchFile(path, listener);
  };
}
