import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { request as httpRequest } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const repoRoot = fileURLToPath(new URL("../../../../", import.meta.url));

export interface RunningServer {
  readonly child: ChildProcess;
  readonly baseUrl: string;
  readonly output: () => string;
  readonly exited: Promise<number | null>;
}

/**
 * Starts the built server exactly as `pnpm start` does (`node apps/server/dist/main.js` from the
 * repository root) and waits for its "listening" line. Without DATABASE_URL in `env` it runs on
 * the embedded default in a DATA_DIR that does not exist yet.
 */
export async function startServerProcess(env: Record<string, string>): Promise<RunningServer> {
  // Regression: a DATA_DIR that does not exist yet (a fresh clone) once failed with ENOENT,
  // because PGlite does not create parent folders. Never pre-create it here.
  const dataDir = join(mkdtempSync(join(tmpdir(), "gh-e2e-")), "fresh", ".data");
  const { DATABASE_URL: _db, REDIS_URL: _redis, ...parentEnv } = process.env;
  const child = spawn(process.execPath, ["apps/server/dist/main.js"], {
    cwd: repoRoot,
    env: { ...parentEnv, DATA_DIR: dataDir, APP_HOST: "127.0.0.1", APP_PORT: "0", LOG_PRETTY: "false", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  const baseUrl = await new Promise<string>((resolve, reject) => {
    // 120 s: a first start initialises PGlite, which took over 60 s on a CI machine at load 36.
    // Regression: a start that timed out once left its server running after the test run; kill it.
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`server did not start:\n${output}`));
    }, 120_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /Gatehouse listening on (http:\/\/[^\s]+) \(Swagger UI: ([^)]+)\)/.exec(output);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    void exited.then((code) => reject(new Error(`server exited with ${code}:\n${output}`)));
  });
  return { child, baseUrl, output: () => output, exited };
}

export interface ApiBody {
  readonly success?: boolean;
  readonly message?: string;
  readonly data?: Record<string, unknown>;
  readonly error?: { readonly code: string; readonly message: string; readonly details?: unknown };
  readonly status?: string;
}

/**
 * One request on its own connection (no keep-alive pool), so the shutdown test measures the
 * server's draining, not a client reusing a pooled socket at the moment the server closes it.
 */
export function call(
  base: string,
  method: string,
  path: string,
  body?: unknown,
  token?: string,
  headers: Record<string, string> = {},
) {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise<{ status: number; body: ApiBody; headers: Record<string, unknown> }>((resolve, reject) => {
    const request = httpRequest(
      `${base}${path}`,
      {
        method,
        agent: false,
        headers: {
          ...headers,
          ...(payload === undefined ? {} : { "content-type": "application/json" }),
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
      },
      (response) => {
        let text = "";
        response.setEncoding("utf8");
        response.on("data", (chunk: string) => {
          text += chunk;
        });
        response.on("end", () =>
          resolve({ status: response.statusCode ?? 0, body: JSON.parse(text) as ApiBody, headers: response.headers }),
        );
        response.on("error", reject);
      },
    );
    request.on("error", reject);
    request.end(payload);
  });
}
