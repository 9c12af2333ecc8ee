import { fileURLToPath } from "node:url";

/** The built server script; run it with PEER_PORT, PEER_DATABASE_URL and PEER_SECRET. */
export const PEER_SERVER_SCRIPT = fileURLToPath(new URL("./server.js", import.meta.url));

export const PEER_SIGN_UP_PATH = "/api/auth/sign-up/email";
export const PEER_SIGN_IN_PATH = "/api/auth/sign-in/email";
export const PEER_SESSION_PATH = "/api/auth/get-session";
export const PEER_READY_PATH = "/ready";

/**
 * Headers of every POST: Better Auth refuses a state-changing request whose Origin is not its
 * base URL (its CSRF check), and a load generator sends none unless told.
 */
export function peerPostHeaders(baseUrl: string): Record<string, string> {
  return { "content-type": "application/json", origin: baseUrl };
}

export interface PeerUser {
  readonly name: string;
  readonly email: string;
  readonly password: string;
}

/** The session token of a sign-up or sign-in answer: the bearer plugin's `set-auth-token` header. */
async function tokenOf(response: Response, what: string): Promise<string> {
  const body = await response.text();
  const token = response.headers.get("set-auth-token");
  if (response.status !== 200 || token === null) {
    throw new Error(`better-auth ${what} answered ${response.status}: ${body.slice(0, 300)}`);
  }
  return token;
}

export async function peerSignUp(baseUrl: string, user: PeerUser): Promise<string> {
  const response = await fetch(`${baseUrl}${PEER_SIGN_UP_PATH}`, {
    method: "POST",
    headers: peerPostHeaders(baseUrl),
    body: JSON.stringify(user),
  });
  return tokenOf(response, "sign-up");
}

export async function peerSignIn(baseUrl: string, user: Pick<PeerUser, "email" | "password">): Promise<string> {
  const response = await fetch(`${baseUrl}${PEER_SIGN_IN_PATH}`, {
    method: "POST",
    headers: peerPostHeaders(baseUrl),
    body: JSON.stringify({ email: user.email, password: user.password }),
  });
  return tokenOf(response, "sign-in");
}

/** GET get-session with a bearer token: the user's email, or undefined when there is no session. */
export async function peerSessionEmail(baseUrl: string, token: string): Promise<string | undefined> {
  const response = await fetch(`${baseUrl}${PEER_SESSION_PATH}`, { headers: { authorization: `Bearer ${token}` } });
  if (response.status !== 200) throw new Error(`better-auth get-session answered ${response.status}`);
  const body = (await response.json()) as { user?: { email?: unknown } } | null;
  return typeof body?.user?.email === "string" ? body.user.email : undefined;
}
