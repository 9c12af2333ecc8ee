// Over 300 lines on purpose: one real Keycloak per run (fetch, unpack, start, stop), its realms and its TCP gate, kept together.
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, rmdirSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { homedir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * A real Keycloak for the test run, as Keycloak's own admin-client tests do (`kc.sh start-dev`,
 * never a mocked admin API). One process serves every test file of a run: the first file that asks
 * starts it (a lock directory keeps parallel files from starting two), the others reuse it, and the
 * run's global teardown stops it. Each file takes a fresh realm from `docker/keycloak/realm.json`.
 */

export const KEYCLOAK_VERSION = "26.5.6";
const REPO = fileURLToPath(new URL("../../../../", import.meta.url));
const CACHE = join(REPO, ".cache", "keycloak");
const HOME = join(CACHE, `keycloak-${KEYCLOAK_VERSION}`);
const ZIP = join(
  homedir(),
  ".m2/repository/org/keycloak/keycloak-quarkus-dist",
  KEYCLOAK_VERSION,
  `keycloak-quarkus-dist-${KEYCLOAK_VERSION}.zip`,
);
export const REALM_TEMPLATE = join(REPO, "docker", "keycloak", "realm.json");
const ADMIN = { username: "gh-test-admin", password: "gh-test-admin-password" };

/** Where the run's shared Keycloak is described; set by the global setup (keycloak-global-setup.ts). */
function stateDir(): string {
  return process.env.GH_KEYCLOAK_STATE ?? join(CACHE, "state-local");
}

function has(command: string, args: string[]): boolean {
  try {
    execFileSync(command, args, { stdio: "ignore", timeout: 30_000 });
    return true;
  } catch {
    return false;
  }
}

/**
 * Why the Keycloak suites cannot run here, or undefined. They need Java and either the cached
 * distribution or Maven to fetch it; in CI a missing part fails the run instead of skipping.
 */
export function keycloakMissing(): string | undefined {
  const java = process.env.JAVA_HOME ? join(process.env.JAVA_HOME, "bin", "java") : "java";
  let missing: string | undefined;
  if (!has(java, ["-version"])) missing = "Java (java on PATH or JAVA_HOME)";
  else if (!existsSync(HOME) && !existsSync(ZIP) && !has("mvn", ["-v"])) missing = "Maven (to fetch Keycloak)";
  if (missing === undefined) return undefined;
  const reason = `Keycloak tests skipped: ${missing} is missing`;
  if (process.env.CI === "true") throw new Error(`${reason}; CI must run them`);
  console.warn(reason);
  return reason;
}

function ensureDistribution(): void {
  if (existsSync(join(HOME, "bin", "kc.sh"))) return;
  if (!existsSync(ZIP)) {
    execFileSync(
      "mvn",
      ["-q", "dependency:get", `-Dartifact=org.keycloak:keycloak-quarkus-dist:${KEYCLOAK_VERSION}:zip`],
      { stdio: "inherit", timeout: 600_000 },
    );
  }
  mkdirSync(CACHE, { recursive: true });
  execFileSync("unzip", ["-q", "-o", ZIP, "-d", CACHE], { stdio: "inherit", timeout: 300_000 });
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === "string") throw new Error("no free port");
  return address.port;
}

async function answers(url: string): Promise<boolean> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
    return response.status === 200;
  } catch {
    return false;
  }
}

interface State {
  readonly url: string;
  readonly pid: number;
}

function readState(): State | undefined {
  try {
    return JSON.parse(readFileSync(join(stateDir(), "state.json"), "utf8")) as State;
  } catch {
    return undefined;
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Starts Keycloak (dev-mem store, loopback, a free port) and waits until its master realm answers. */
async function start(): Promise<State> {
  ensureDistribution();
  const port = await freePort();
  const log = join(stateDir(), "keycloak.log");
  const child: ChildProcess = spawn(
    join(HOME, "bin", "kc.sh"),
    ["start-dev", "--db=dev-mem", `--http-port=${port}`, "--http-host=127.0.0.1", "--http-management-port=0"],
    {
      detached: true, // its own process group: the teardown kills the JVM with the script
      stdio: ["ignore", "ignore", "ignore"],
      env: {
        ...process.env,
        KC_BOOTSTRAP_ADMIN_USERNAME: ADMIN.username,
        KC_BOOTSTRAP_ADMIN_PASSWORD: ADMIN.password,
        KC_LOG_FILE: log,
        KC_LOG: "file",
      },
    },
  );
  child.unref();
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 240_000; // tens of seconds on 2 loaded cores; the first start also builds
  while (!(await answers(`${url}/realms/master`))) {
    if (child.exitCode !== null) throw new Error(`Keycloak exited with ${child.exitCode}; see ${log}`);
    if (Date.now() > deadline) throw new Error(`Keycloak did not answer on ${url} within 240 s; see ${log}`);
    await sleep(500);
  }
  return { url, pid: child.pid as number };
}

/** The run's Keycloak, started on first use. */
export async function sharedKeycloak(): Promise<Keycloak> {
  mkdirSync(stateDir(), { recursive: true });
  const lock = join(stateDir(), "lock");
  for (;;) {
    const state = readState();
    if (state !== undefined && (await answers(`${state.url}/realms/master`))) return new Keycloak(state.url);
    try {
      mkdirSync(lock);
    } catch {
      await sleep(1_000); // another file is starting it
      continue;
    }
    try {
      const started = await start();
      writeFileSync(join(stateDir(), "state.json"), JSON.stringify(started));
      return new Keycloak(started.url);
    } finally {
      rmdirSync(lock);
    }
  }
}

/** Stops the run's Keycloak (the global teardown). */
export function stopSharedKeycloak(): void {
  const state = readState();
  if (state !== undefined) {
    try {
      process.kill(-state.pid, "SIGTERM");
    } catch {
      // already gone
    }
  }
  rmSync(stateDir(), { recursive: true, force: true });
}

export interface TestRealm {
  readonly name: string;
  /** `{KEYCLOAK_URL}/realms/{name}`: the issuer of its tokens. */
  readonly issuer: string;
  readonly appClient: { readonly id: string; readonly secret: string };
  readonly backendClient: { readonly id: string; readonly secret: string };
}

export class Keycloak {
  private adminToken: { value: string; until: number } | undefined;

  constructor(readonly url: string) {}

  /** A master-realm admin token (admin-cli password grant), reused while it is valid. */
  async token(): Promise<string> {
    if (this.adminToken !== undefined && this.adminToken.until > Date.now()) return this.adminToken.value;
    const response = await fetch(`${this.url}/realms/master/protocol/openid-connect/token`, {
      method: "POST",
      body: new URLSearchParams({ grant_type: "password", client_id: "admin-cli", ...ADMIN }),
    });
    if (!response.ok) throw new Error(`Keycloak admin login answered ${response.status}`);
    const body = (await response.json()) as { access_token: string; expires_in: number };
    this.adminToken = { value: body.access_token, until: Date.now() + (body.expires_in - 10) * 1000 };
    return body.access_token;
  }

  /** An admin REST call as the master admin; throws on a status outside 2xx. */
  async admin<T = unknown>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await fetch(`${this.url}/admin/realms${path}`, {
      method,
      headers: {
        authorization: `Bearer ${await this.token()}`,
        ...(body === undefined ? {} : { "content-type": "application/json" }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!response.ok)
      throw new Error(`Keycloak ${method} ${path} answered ${response.status}: ${await response.text()}`);
    const text = await response.text();
    return (text === "" ? undefined : JSON.parse(text)) as T;
  }

  /**
   * A fresh realm from the repository's realm JSON, under a unique name, with new client secrets.
   * `accessTokenLifespan` (seconds) shortens token life for expiry tests.
   */
  async createRealm(options: { accessTokenLifespan?: number } = {}): Promise<TestRealm> {
    const name = `gh-${randomBytes(4).toString("hex")}`;
    const template = JSON.parse(readFileSync(REALM_TEMPLATE, "utf8")) as {
      realm: string;
      accessTokenLifespan?: number;
      clients: Array<{ clientId: string; secret?: string }>;
    };
    const appSecret = randomBytes(16).toString("hex");
    const backendSecret = randomBytes(16).toString("hex");
    template.realm = name;
    if (options.accessTokenLifespan !== undefined) template.accessTokenLifespan = options.accessTokenLifespan;
    for (const client of template.clients) {
      if (client.clientId === "gatehouse-app") client.secret = appSecret;
      if (client.clientId === "gatehouse-backend") client.secret = backendSecret;
    }
    await this.admin("POST", "", template);
    return {
      name,
      issuer: `${this.url}/realms/${name}`,
      appClient: { id: "gatehouse-app", secret: appSecret },
      backendClient: { id: "gatehouse-backend", secret: backendSecret },
    };
  }

  async deleteRealm(realm: TestRealm): Promise<void> {
    await this.admin("DELETE", `/${realm.name}`).catch(() => undefined);
  }
}

/**
 * A loopback TCP forwarder in front of Keycloak, so a test can take "Keycloak" down (connections
 * refused, open ones cut) and bring it back in milliseconds without restarting the shared JVM.
 * Gatehouse is pointed at `proxy.url`; the real Keycloak answers behind it.
 */
export class KeycloakGate {
  private server: Server | undefined;
  private readonly sockets = new Set<import("node:net").Socket>();
  private constructor(
    private readonly target: URL,
    readonly port: number,
  ) {}

  static async open(keycloakUrl: string): Promise<KeycloakGate> {
    const gate = new KeycloakGate(new URL(keycloakUrl), await freePort());
    await gate.up();
    return gate;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async up(): Promise<void> {
    if (this.server !== undefined) return;
    const { connect } = await import("node:net");
    const server = createServer((client) => {
      const upstream = connect(Number(this.target.port), this.target.hostname);
      this.sockets.add(client);
      this.sockets.add(upstream);
      const drop = () => {
        client.destroy();
        upstream.destroy();
        this.sockets.delete(client);
        this.sockets.delete(upstream);
      };
      client.on("error", drop).on("close", drop);
      upstream.on("error", drop).on("close", drop);
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve) => server.listen(this.port, "127.0.0.1", resolve));
    this.server = server;
  }

  /** Keycloak "down": refuses new connections and cuts the open ones. */
  async down(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
    if (server !== undefined) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  close(): Promise<void> {
    return this.down();
  }
}
