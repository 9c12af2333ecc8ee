import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { post, register } from "./support/http.js";
import { sql, startTestServer, type TestServer, testDatabaseKinds, uniqueUser } from "./support/test-server.js";

const PUBLIC = "http://gatehouse.test";
const APP = "http://app.test/signed-in";

/** Speaks GitHub's documented OAuth 2 and user/emails shapes; the token is checked on every API call. */
async function startGitHubShape(): Promise<{ base: string; server: Server }> {
  const codes = new Map<string, string>();
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://local");
    if (url.pathname === "/login/oauth/authorize") {
      codes.set("code-1", url.searchParams.get("code_challenge") ?? "");
      const back = new URL(url.searchParams.get("redirect_uri") ?? "");
      back.searchParams.set("code", "code-1");
      back.searchParams.set("state", url.searchParams.get("state") ?? "");
      res.writeHead(302, { location: back.href }).end();
      return;
    }
    if (url.pathname === "/login/oauth/access_token") {
      let body = "";
      req.on("data", (chunk) => (body += chunk));
      req.on("end", () => {
        const form = new URLSearchParams(body);
        const ok = codes.has(form.get("code") ?? "") && (form.get("code_verifier") ?? "").length >= 43;
        res.writeHead(ok ? 200 : 400, { "content-type": "application/json" });
        res.end(
          JSON.stringify(
            ok
              ? { access_token: "gho_test", token_type: "bearer", scope: "read:user,user:email" }
              : { error: "bad_verification_code" },
          ),
        );
      });
      return;
    }
    if (req.headers.authorization !== "Bearer gho_test") {
      res.writeHead(401).end();
      return;
    }
    res.writeHead(200, { "content-type": "application/json" });
    if (url.pathname === "/user") res.end(JSON.stringify({ id: 4242, login: "octocat", name: null }));
    else
      res.end(
        JSON.stringify([
          { email: "octo-old@example.com", primary: false, verified: true },
          { email: "Octo@Example.com", primary: true, verified: true },
        ]),
      );
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

function formOf(req: IncomingMessage): Promise<URLSearchParams> {
  return new Promise((resolve) => {
    let body = "";
    req.on("data", (chunk) => (body += chunk));
    req.on("end", () => resolve(new URLSearchParams(body)));
  });
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** A Facebook user as Graph `/me` describes it. */
interface GraphUser {
  readonly id: string;
  readonly name: string;
  readonly email?: string;
}

/**
 * Speaks Facebook's documented OAuth 2 dialog, token endpoint and Graph `/me?fields=id,name,email`:
 * the dialog signs in `next.user`, the code is single use and needs the client secret and the PKCE
 * verifier, `/me` needs the access token and answers only the fields asked for.
 */
async function startFacebookShape(): Promise<{ base: string; server: Server; next: { user: GraphUser } }> {
  const next: { user: GraphUser } = { user: { id: "0", name: "nobody" } };
  const codes = new Map<string, GraphUser>();
  const tokens = new Map<string, GraphUser>();
  let counter = 0;
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://local");
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
    };
    if (url.pathname === "/v19.0/dialog/oauth") {
      counter += 1;
      const code = `fb-code-${counter}`;
      codes.set(code, next.user);
      const back = new URL(url.searchParams.get("redirect_uri") ?? "");
      back.searchParams.set("code", code);
      back.searchParams.set("state", url.searchParams.get("state") ?? "");
      res.writeHead(302, { location: back.href }).end();
      return;
    }
    if (url.pathname === "/v19.0/oauth/access_token" && req.method === "POST") {
      void formOf(req).then((form) => {
        const user = codes.get(form.get("code") ?? "");
        codes.delete(form.get("code") ?? "");
        const secretOk = form.get("client_secret") === "fb-secret" && form.get("client_id") === "fb-id";
        if (user === undefined || !secretOk || (form.get("code_verifier") ?? "").length < 43) {
          json(400, { error: { message: "Invalid verification code format.", type: "OAuthException", code: 100 } });
          return;
        }
        const token = `EAAB${counter}`;
        tokens.set(token, user);
        json(200, { access_token: token, token_type: "bearer", expires_in: 5183944 });
      });
      return;
    }
    const user = tokens.get((req.headers.authorization ?? "").replace(/^Bearer /, ""));
    if (url.pathname !== "/v19.0/me" || user === undefined) {
      json(400, { error: { message: "An active access token must be used", type: "OAuthException", code: 2500 } });
      return;
    }
    const fields = (url.searchParams.get("fields") ?? "id,name").split(",");
    json(200, Object.fromEntries(Object.entries(user).filter(([field]) => fields.includes(field))));
  });
  return { base: await listen(server), server, next };
}

describe.each(testDatabaseKinds())("Facebook through its _URL overrides on %s", (kind) => {
  let facebook: Awaited<ReturnType<typeof startFacebookShape>>;
  let t: TestServer;
  beforeAll(async () => {
    facebook = await startFacebookShape();
    t = await startTestServer(
      {
        PUBLIC_BASE_URL: PUBLIC,
        OAUTH_PROVIDERS: "facebook",
        OAUTH_FACEBOOK_CLIENT_ID: "fb-id",
        OAUTH_FACEBOOK_CLIENT_SECRET: "fb-secret",
        OAUTH_FACEBOOK_AUTHORIZATION_URL: `${facebook.base}/v19.0/dialog/oauth`,
        OAUTH_FACEBOOK_TOKEN_URL: `${facebook.base}/v19.0/oauth/access_token`,
        OAUTH_FACEBOOK_USERINFO_URL: `${facebook.base}/v19.0/me?fields=id,name,email`,
        OAUTH_ALLOWED_REDIRECT_URIS: APP,
      },
      kind,
    );
  });
  afterAll(async () => {
    await t?.close();
    facebook?.server.close();
  });

  /** The round trip as `user`; answers the URL the app receives. */
  async function signIn(user: GraphUser): Promise<URL> {
    facebook.next.user = user;
    const start = await t.app.inject({
      method: "GET",
      url: `/api/v1/auth/oauth/facebook?redirect_uri=${encodeURIComponent(APP)}`,
    });
    expect(start.statusCode).toBe(302);
    const authorize = new URL(String(start.headers.location));
    expect(authorize.searchParams.get("code_challenge_method")).toBe("S256");
    expect(authorize.searchParams.get("nonce")).toBeNull();
    const atProvider = await fetch(authorize, { redirect: "manual" });
    const back = new URL(String(atProvider.headers.get("location")));
    const reply = await t.app.inject({ method: "GET", url: `${back.pathname}${back.search}` });
    expect(reply.statusCode, reply.body).toBe(302);
    return new URL(String(reply.headers.location));
  }

  it("signs a new user in from Graph /me, the address kept but never treated as verified", async () => {
    const graphId = `10${Date.now()}`;
    const app = await signIn({ id: graphId, name: "Grace Hopper", email: "Grace@Example.com" });
    const tokens = await post(t, "/api/v1/auth/oauth/token", { code: app.searchParams.get("code") });
    expect(tokens.status, JSON.stringify(tokens.body)).toBe(200);
    const user = (tokens.body.data as { user: { id: string; email: string } }).user;
    expect(user.email).toBe("grace@example.com");
    const [row] = await t.query<{ email_verified_at: Date | null; full_name: string; subject: string }>(
      sql`SELECT u.email_verified_at, u.full_name, f.subject FROM users u JOIN federated_identities f ON f.user_id = u.id
          WHERE u.id = ${user.id} AND f.provider = 'facebook'`,
    );
    expect(row).toEqual({ email_verified_at: null, full_name: "Grace Hopper", subject: graphId });

    const again = await signIn({ id: graphId, name: "Grace Hopper", email: "grace@example.com" });
    const second = await post(t, "/api/v1/auth/oauth/token", { code: again.searchParams.get("code") });
    expect((second.body.data as { user: { id: string } }).user.id).toBe(user.id);
  });

  it("account takeover: an unverified Facebook address never links into a verified local account", async () => {
    const local = uniqueUser("fbvictim");
    const userId = await register(t, local);
    await t.query(sql`UPDATE users SET email_verified_at = now() WHERE id = ${userId}`);
    const app = await signIn({ id: `20${Date.now()}`, name: "Mallory", email: local.email });
    expect(app.searchParams.get("error")).toBe("account_exists");
    expect(app.searchParams.get("code")).toBeNull();
    const linked = await t.query(sql`SELECT id FROM federated_identities WHERE user_id = ${userId}`);
    expect(linked).toEqual([]);
  });

  it("sends a Graph account without an address back to the app as email_missing", async () => {
    const app = await signIn({ id: `30${Date.now()}`, name: "No Mail" });
    expect(app.searchParams.get("error")).toBe("email_missing");
  });
});

describe.each(testDatabaseKinds())("GitHub through its _URL overrides on %s", (kind) => {
  let github: { base: string; server: Server };
  let t: TestServer;
  beforeAll(async () => {
    github = await startGitHubShape();
    t = await startTestServer(
      {
        PUBLIC_BASE_URL: PUBLIC,
        OAUTH_PROVIDERS: "github",
        OAUTH_GITHUB_CLIENT_ID: "id",
        OAUTH_GITHUB_CLIENT_SECRET: "secret",
        OAUTH_GITHUB_AUTHORIZATION_URL: `${github.base}/login/oauth/authorize`,
        OAUTH_GITHUB_TOKEN_URL: `${github.base}/login/oauth/access_token`,
        OAUTH_GITHUB_USERINFO_URL: `${github.base}/user`,
        OAUTH_GITHUB_EMAILS_URL: `${github.base}/user/emails`,
        OAUTH_ALLOWED_REDIRECT_URIS: APP,
      },
      kind,
    );
  });
  afterAll(async () => {
    await t?.close();
    github?.server.close();
  });

  it("signs in with the primary verified address from the emails API", async () => {
    const start = await t.app.inject({
      method: "GET",
      url: `/api/v1/auth/oauth/github?redirect_uri=${encodeURIComponent(APP)}`,
    });
    expect(start.statusCode).toBe(302);
    const authorize = new URL(String(start.headers.location));
    expect(authorize.searchParams.get("code_challenge_method")).toBe("S256");
    const atProvider = await fetch(authorize, { redirect: "manual" });
    const back = new URL(String(atProvider.headers.get("location")));
    const reply = await t.app.inject({ method: "GET", url: `${back.pathname}${back.search}` });
    expect(reply.statusCode, reply.body).toBe(302);
    const code = new URL(String(reply.headers.location)).searchParams.get("code");
    expect(code).toBeTruthy();
    const tokens = await post(t, "/api/v1/auth/oauth/token", { code });
    expect(tokens.status).toBe(200);
    expect((tokens.body.data as { user: { email: string } }).user.email).toBe("octo@example.com");
  });
});
