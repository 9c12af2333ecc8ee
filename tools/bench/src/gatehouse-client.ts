export interface Credentials {
  readonly email: string;
  readonly password: string;
}

export interface Session {
  readonly accessToken: string;
  readonly refreshToken: string;
}

interface TokenData {
  readonly access_token: string;
  readonly refresh_token: string;
}

export const JSON_HEADERS = { "content-type": "application/json" } as const;

async function postJson(url: string, body: unknown): Promise<{ status: number; json: unknown }> {
  const response = await fetch(url, { method: "POST", headers: JSON_HEADERS, body: JSON.stringify(body) });
  return { status: response.status, json: await response.json() };
}

/** Runs `work` over `items` with at most `limit` in flight, keeping order. */
export async function mapLimited<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const lane = async () => {
    for (let index = next++; index < items.length; index = next++) {
      results[index] = await work(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  return results;
}

/** The access and refresh tokens of a login or refresh response body (`{ data: { … } }`). */
export function tokensOf(body: unknown): Session {
  const data = (body as { data?: Partial<TokenData> } | null)?.data;
  if (typeof data?.access_token !== "string" || typeof data.refresh_token !== "string") {
    throw new Error("response carries no tokens");
  }
  return { accessToken: data.access_token, refreshToken: data.refresh_token };
}

/** Registers `count` users named after `runId` (unique per run, so a reused database is fine). */
export function registerUsers(baseUrl: string, runId: string, count: number, limit: number): Promise<Credentials[]> {
  const indexes = Array.from({ length: count }, (_, index) => index);
  return mapLimited(indexes, limit, async (index) => {
    const user = {
      username: `bench_${runId}_${index}`,
      email: `bench.${runId}.${index}@example.com`,
      password: `Bench-${runId}-Pw${index}`,
    };
    const { status, json } = await postJson(`${baseUrl}/api/v1/auth/register`, user);
    if (status !== 201) throw new Error(`register answered ${status}: ${JSON.stringify(json)}`);
    return { email: user.email, password: user.password };
  });
}

/** Logs in `count` sessions, cycling through `users`. */
export function logInSessions(
  baseUrl: string,
  users: readonly Credentials[],
  count: number,
  limit: number,
): Promise<Session[]> {
  const picks = Array.from({ length: count }, (_, index) => users[index % users.length] as Credentials);
  return mapLimited(picks, limit, async (user) => {
    const { status, json } = await postJson(`${baseUrl}/api/v1/auth/login`, user);
    if (status !== 200) throw new Error(`login answered ${status}: ${JSON.stringify(json)}`);
    return tokensOf(json);
  });
}
