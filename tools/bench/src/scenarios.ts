import type autocannon from "autocannon";
import { type Credentials, JSON_HEADERS, type Session, tokensOf } from "./gatehouse-client.js";

export interface LoadSettings {
  readonly baseUrl: string;
  readonly connections: number;
  readonly durationSeconds: number;
  /** Requests per second across all connections (open loop); unset: as fast as answered. */
  readonly overallRate?: number;
}

export const LOGIN_PATH = "/api/v1/auth/login";
export const REFRESH_PATH = "/api/v1/auth/refresh";
export const ME_PATH = "/api/v1/auth/me";
export const LIVE_PATH = "/health/live";

export function baseOptions(settings: LoadSettings, path: string): autocannon.Options {
  return {
    url: `${settings.baseUrl}${path}`,
    connections: settings.connections,
    duration: settings.durationSeconds,
    timeout: 30,
    ...(settings.overallRate === undefined ? {} : { overallRate: settings.overallRate }),
  };
}

/** GET on one static route. */
export function getOptions(settings: LoadSettings, path: string): autocannon.Options {
  return baseOptions(settings, path);
}

/** POST /login, each request with the next user's credentials (round robin over all connections). */
export function loginOptions(settings: LoadSettings, users: readonly Credentials[]): autocannon.Options {
  let next = 0;
  return {
    ...baseOptions(settings, LOGIN_PATH),
    requests: [
      {
        method: "POST",
        path: LOGIN_PATH,
        headers: JSON_HEADERS,
        setupRequest: (request) => ({ ...request, body: JSON.stringify(users[next++ % users.length]) }),
      },
    ],
  };
}

export interface RefreshChains {
  /** Connections whose chain broke (non-2xx) and went on with a spare session. */
  restarted: number;
  /** Connections whose chain broke with no spare session left (they keep failing). */
  stranded: number;
}

function parseRefreshToken(body: string): string | undefined {
  try {
    return tokensOf(JSON.parse(body)).refreshToken;
  } catch {
    return undefined;
  }
}

/**
 * POST /refresh where every connection chains its own session: each request presents the
 * refresh token the previous response returned. autocannon resets its request `context` each
 * time a connection wraps around its `requests` list (here after every request), so the
 * per-connection context lives in a closure made for each connection by `setupClient`.
 * Sessions beyond the first `connections` are spares for chains that break.
 */
export function refreshOptions(
  settings: LoadSettings,
  sessions: readonly Session[],
  chains: RefreshChains,
): autocannon.Options {
  const pool = sessions.map((session) => session.refreshToken);
  if (pool.length < settings.connections) throw new Error("refresh needs at least one session per connection");
  const takeSpare = () => {
    const spare = pool.shift();
    if (spare === undefined) chains.stranded++;
    else chains.restarted++;
    return spare;
  };
  return {
    ...baseOptions(settings, REFRESH_PATH),
    setupClient: (client) => {
      const context = { refreshToken: pool.shift() ?? "" };
      client.setRequests([
        {
          method: "POST",
          path: REFRESH_PATH,
          headers: JSON_HEADERS,
          setupRequest: (request) => ({ ...request, body: JSON.stringify({ refresh_token: context.refreshToken }) }),
          onResponse: (status, body) => {
            const rotated = status === 200 ? parseRefreshToken(body) : undefined;
            context.refreshToken = rotated ?? takeSpare() ?? context.refreshToken;
          },
        },
      ]);
    },
  };
}

/** GET /me, each connection with its own session's access token. */
export function meOptions(settings: LoadSettings, sessions: readonly Session[]): autocannon.Options {
  let next = 0;
  return {
    ...baseOptions(settings, ME_PATH),
    setupClient: (client) => {
      const session = sessions[next++ % sessions.length];
      client.setRequests([
        { method: "GET", path: ME_PATH, headers: { authorization: `Bearer ${session?.accessToken ?? ""}` } },
      ]);
    },
  };
}
