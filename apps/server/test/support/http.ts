import type { TestServer } from "./test-server.js";

export interface Session {
  readonly accessToken: string;
  readonly refreshToken: string;
  readonly userId: string;
}

type Json = Record<string, unknown>;

export async function post(t: Pick<TestServer, "app">, url: string, payload?: unknown, token?: string) {
  const response = await t.app.inject({
    method: "POST",
    url,
    ...(payload === undefined ? {} : { payload: payload as Json }),
    headers: token ? { authorization: `Bearer ${token}` } : {},
  });
  return { status: response.statusCode, body: response.json() as Json, headers: response.headers };
}

export async function get(t: Pick<TestServer, "app">, url: string, token?: string) {
  const response = await t.app.inject({
    method: "GET",
    url,
    headers: token ? { authorization: `Bearer ${token}` } : {},
  });
  return { status: response.statusCode, body: response.json() as Json, headers: response.headers };
}

/** Polls /health/ready until its status is `status` ("ready", "degraded", …) or `ms` pass. */
export async function readinessBecomes(
  t: Pick<TestServer, "app">,
  status: string,
  ms = 20_000,
): Promise<Record<string, unknown>> {
  const until = Date.now() + ms;
  for (;;) {
    const response = await get(t, "/health/ready");
    if (response.body.status === status) return { httpStatus: response.status, ...response.body };
    if (Date.now() > until) throw new Error(`readiness stayed ${String(response.body.status)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export async function register(
  t: Pick<TestServer, "app">,
  user: { username: string; email: string; password: string },
) {
  const response = await post(t, "/api/v1/auth/register", user);
  if (response.status !== 201) throw new Error(`register failed: ${JSON.stringify(response.body)}`);
  return (response.body.data as { id: string }).id;
}

export async function logIn(t: Pick<TestServer, "app">, user: { email: string; password: string }): Promise<Session> {
  const response = await post(t, "/api/v1/auth/login", { email: user.email, password: user.password });
  if (response.status !== 200) throw new Error(`login failed: ${JSON.stringify(response.body)}`);
  const data = response.body.data as { access_token: string; refresh_token: string; user: { id: string } };
  return { accessToken: data.access_token, refreshToken: data.refresh_token, userId: data.user.id };
}

export async function registerAndLogIn(
  t: Pick<TestServer, "app">,
  user: { username: string; email: string; password: string },
) {
  await register(t, user);
  return logIn(t, user);
}

export function errorCode(body: Json): string | undefined {
  return (body.error as { code?: string } | undefined)?.code;
}

/** Any method, JSON in and out. */
export async function send(
  t: Pick<TestServer, "app">,
  method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE",
  url: string,
  payload?: unknown,
  token?: string,
) {
  return sendWith(t, method, url, { payload, ...(token === undefined ? {} : { token }) });
}

/** Like `send`, with the body, bearer token and extra headers as named options. */
export async function sendWith(
  t: Pick<TestServer, "app">,
  method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE",
  url: string,
  options: { payload?: unknown; token?: string; headers?: Record<string, string> } = {},
) {
  const response = await t.app.inject({
    method,
    url,
    ...(options.payload === undefined ? {} : { payload: options.payload as Json }),
    headers: { ...(options.token ? { authorization: `Bearer ${options.token}` } : {}), ...options.headers },
  });
  return { status: response.statusCode, body: response.json() as Json, headers: response.headers };
}
