import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createServer } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { postgresTestUrl } from "@gatehouse/infrastructure/testing";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PEER_READY_PATH, peerSessionEmail, peerSignIn, peerSignUp } from "./peer-client.js";

/*
 * The bench's peer must not rot silently: a Better Auth upgrade that changes a path, the
 * bearer header or the Origin check would otherwise show up as a bench full of 4xx. This
 * starts the built server on a private gh_test_* database and walks the bench's own calls.
 */
const serverUrl = postgresTestUrl();
// The built script (turbo builds before it tests), the one the bench runs.
const SERVER_SCRIPT = fileURLToPath(new URL("../dist/server.js", import.meta.url));

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      probe.close(() => resolve(typeof address === "object" && address !== null ? address.port : 0));
    });
  });
}

describe.skipIf(serverUrl === undefined)("Better Auth peer (PostgreSQL)", () => {
  const name = `gh_test_${randomBytes(6).toString("hex")}`;
  let admin: pg.Client;
  let child: ChildProcess | undefined;
  let baseUrl = "";
  let stderr = "";

  beforeAll(async () => {
    admin = new pg.Client({ connectionString: serverUrl });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    const url = new URL(serverUrl ?? "");
    url.pathname = `/${name}`;
    const port = await freePort();
    baseUrl = `http://127.0.0.1:${port}`;
    const env = { ...process.env, PEER_PORT: String(port), PEER_DATABASE_URL: url.toString() };
    child = spawn(process.execPath, [SERVER_SCRIPT], {
      env: { ...env, PEER_SECRET: randomBytes(32).toString("hex") },
      stdio: ["ignore", "ignore", "pipe"],
    });
    child.stderr?.on("data", (chunk: Buffer) => {
      stderr += chunk.toString("utf8");
    });
    for (;;) {
      if (child.exitCode !== null) throw new Error(`peer exited with ${child.exitCode}: ${stderr}`);
      const ready = await fetch(`${baseUrl}${PEER_READY_PATH}`).then(
        (response) => response.status === 200,
        () => false,
      );
      if (ready) break;
      await sleep(100);
    }
  });

  afterAll(async () => {
    if (child !== undefined && child.exitCode === null) {
      const exited = new Promise((resolve) => child?.once("exit", resolve));
      child.kill("SIGTERM");
      await exited;
    }
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  });

  it("signs a user up, signs in with an argon2id hash, and get-session answers for the bearer token", async () => {
    const user = {
      name: "Peer Probe",
      email: `peer.${randomBytes(4).toString("hex")}@example.com`,
      password: "Tr1cky-Fjord-Lantern-88",
    };
    await peerSignUp(baseUrl, user);
    const token = await peerSignIn(baseUrl, user);
    expect(await peerSessionEmail(baseUrl, token)).toBe(user.email);
    // The custom hasher is really in use: the stored hash is argon2id with Gatehouse's parameters.
    const url = new URL(serverUrl ?? "");
    url.pathname = `/${name}`;
    const peerDb = new pg.Client({ connectionString: url.toString() });
    await peerDb.connect();
    try {
      const { rows } = await peerDb.query<{ password: string }>(
        `SELECT a.password FROM account a JOIN "user" u ON u.id = a."userId" WHERE u.email = $1`,
        [user.email],
      );
      expect(rows[0]?.password).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    } finally {
      await peerDb.end();
    }
  });

  it("refuses a wrong password and a made-up token", async () => {
    const user = {
      name: "Peer Probe",
      email: `peer.${randomBytes(4).toString("hex")}@example.com`,
      password: "Tr1cky-Fjord-Lantern-88",
    };
    await peerSignUp(baseUrl, user);
    await expect(peerSignIn(baseUrl, { ...user, password: "Wr0ng-Quartz-Meadow-41" })).rejects.toThrow(/401/);
    expect(await peerSessionEmail(baseUrl, "not-a-session-token")).toBeUndefined();
  });
});
