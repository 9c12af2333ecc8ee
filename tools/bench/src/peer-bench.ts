import { randomBytes } from "node:crypto";
import {
  PEER_READY_PATH,
  PEER_SERVER_SCRIPT,
  PEER_SESSION_PATH,
  PEER_SIGN_IN_PATH,
  type PeerUser,
  peerPostHeaders,
  peerSignIn,
  peerSignUp,
} from "@gatehouse/bench-peer-better-auth";
import type autocannon from "autocannon";
import { createBenchDatabase } from "./admin-bench.js";
import { freePort, startChild, stopChild, waitForHttp } from "./children.js";
import { type Credentials, mapLimited, type Session } from "./gatehouse-client.js";
import { runLoad, type ScenarioResult } from "./load.js";
import { baseOptions, type LoadSettings, loginOptions, meOptions } from "./scenarios.js";

/** Both sides of one comparison: every round, and the better round of each. */
export interface PeerComparison {
  readonly gatehouse_rounds: readonly ScenarioResult[];
  readonly peer_rounds: readonly ScenarioResult[];
  readonly gatehouse_best: ScenarioResult;
  readonly peer_best: ScenarioResult;
  /** Gatehouse 2xx/s over Better Auth 2xx/s, better round of each. */
  readonly ratio: number;
}

export interface PeerBenchResult {
  readonly peer: "better-auth";
  readonly rounds: number;
  readonly connections: number;
  /** POST /auth/login vs POST /api/auth/sign-in/email. */
  readonly login: PeerComparison;
  /** GET /auth/me vs GET /api/auth/get-session, both with a bearer token. */
  readonly token_check: PeerComparison;
}

export interface PeerBenchSettings {
  readonly databaseUrl: string;
  readonly durationSeconds: number;
  readonly connections: number;
  readonly users: number;
  readonly cores: number;
  /** Interleaved rounds (A B A B …). */
  readonly rounds: number;
}

/** The Gatehouse side, already running with its users registered. */
export interface GatehouseSide {
  readonly baseUrl: string;
  readonly users: readonly Credentials[];
  readonly sessions: readonly Session[];
}

/** The peers `--peers` or BENCH_PEERS names; only Better Auth exists. */
export function peersRequested(argv: readonly string[], env: NodeJS.ProcessEnv): readonly "better-auth"[] {
  const named = (env.BENCH_PEERS ?? "")
    .split(",")
    .map((name) => name.trim())
    .filter((name) => name !== "");
  for (const name of named) {
    if (name !== "better-auth") throw new Error(`BENCH_PEERS names an unknown peer "${name}" (known: better-auth)`);
  }
  return argv.includes("--peers") || named.length > 0 ? ["better-auth"] : [];
}

/** The better of the rounds: the one with the most 2xx/s, so a noisy second does not decide. */
export function bestRound(rounds: readonly ScenarioResult[]): ScenarioResult {
  const [first, ...rest] = rounds;
  if (first === undefined) throw new Error("no round was run");
  return rest.reduce((best, round) => (round.ok_per_second > best.ok_per_second ? round : best), first);
}

function compare(gatehouse: readonly ScenarioResult[], peer: readonly ScenarioResult[]): PeerComparison {
  const gatehouseBest = bestRound(gatehouse);
  const peerBest = bestRound(peer);
  const ratio =
    peerBest.ok_per_second === 0 ? 0 : Math.round((gatehouseBest.ok_per_second / peerBest.ok_per_second) * 1000) / 1000;
  return { gatehouse_rounds: gatehouse, peer_rounds: peer, gatehouse_best: gatehouseBest, peer_best: peerBest, ratio };
}

/** POST sign-in/email round robin over the users, with the Origin Better Auth wants. */
function peerSignInOptions(load: LoadSettings, users: readonly PeerUser[]): autocannon.Options {
  let next = 0;
  const headers = peerPostHeaders(load.baseUrl);
  return {
    ...baseOptions(load, PEER_SIGN_IN_PATH),
    requests: [
      {
        method: "POST",
        path: PEER_SIGN_IN_PATH,
        headers,
        setupRequest: (request) => {
          const user = users[next++ % users.length];
          return { ...request, body: JSON.stringify({ email: user?.email, password: user?.password }) };
        },
      },
    ],
  };
}

/** GET get-session, each connection with its own bearer session token. */
function peerSessionOptions(load: LoadSettings, tokens: readonly string[]): autocannon.Options {
  let next = 0;
  return {
    ...baseOptions(load, PEER_SESSION_PATH),
    setupClient: (client) => {
      const token = tokens[next++ % tokens.length] ?? "";
      client.setRequests([{ method: "GET", path: PEER_SESSION_PATH, headers: { authorization: `Bearer ${token}` } }]);
    },
  };
}

/**
 * Better Auth on its own private gh_bench_* database on the same PostgreSQL, measured with the
 * same load generator, connections and duration as Gatehouse, the two interleaved round by
 * round (A B A B) so a slow stretch of a shared machine hits both.
 */
export async function benchPeer(
  settings: PeerBenchSettings,
  gatehouse: GatehouseSide,
  log: (line: string) => void,
): Promise<PeerBenchResult> {
  const database = await createBenchDatabase(settings.databaseUrl);
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const child = startChild("better-auth peer", PEER_SERVER_SCRIPT, {
    ...process.env,
    NODE_ENV: "production",
    PEER_PORT: String(port),
    PEER_DATABASE_URL: database.url,
    PEER_SECRET: randomBytes(32).toString("hex"),
  });
  try {
    await waitForHttp(`${baseUrl}${PEER_READY_PATH}`, child, 120_000);
    const runId = randomBytes(4).toString("hex");
    log(`• better-auth peer: signing up ${settings.users} users`);
    const indexes = Array.from({ length: settings.users }, (_, index) => index);
    const users = await mapLimited(indexes, settings.cores * 2, async (index) => {
      const user = {
        name: `Bench ${index}`,
        email: `peer.${runId}.${index}@example.com`,
        password: `Bench-${runId}-Pw${index}`,
      };
      await peerSignUp(baseUrl, user);
      return user;
    });
    const picks = Array.from({ length: settings.connections }, (_, index) => users[index % users.length] as PeerUser);
    const tokens = await mapLimited(picks, settings.cores * 2, (user) => peerSignIn(baseUrl, user));
    const ours: LoadSettings = { ...settings, baseUrl: gatehouse.baseUrl };
    const theirs: LoadSettings = { ...settings, baseUrl };
    const rounds = { login: [[], []] as ScenarioResult[][], check: [[], []] as ScenarioResult[][] };
    for (let round = 1; round <= settings.rounds; round++) {
      const of = `round ${round}/${settings.rounds}`;
      log(`• peer ${of}: Gatehouse login, then Better Auth sign-in (${settings.connections} connections)`);
      rounds.login[0]?.push(await runLoad(loginOptions(ours, gatehouse.users)));
      rounds.login[1]?.push(await runLoad(peerSignInOptions(theirs, users)));
      log(`• peer ${of}: Gatehouse GET /auth/me, then Better Auth get-session`);
      rounds.check[0]?.push(await runLoad(meOptions(ours, gatehouse.sessions)));
      rounds.check[1]?.push(await runLoad(peerSessionOptions(theirs, tokens)));
    }
    return {
      peer: "better-auth",
      rounds: settings.rounds,
      connections: settings.connections,
      login: compare(rounds.login[0] ?? [], rounds.login[1] ?? []),
      token_check: compare(rounds.check[0] ?? [], rounds.check[1] ?? []),
    };
  } finally {
    await stopChild(child);
    await database.drop();
  }
}
