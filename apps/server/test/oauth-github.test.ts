import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { post } from "./support/http.js";
import { startTestServer, type TestServer } from "./support/test-server.js";

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

describe("GitHub through its _URL overrides", () => {
  let github: { base: string; server: Server };
  let t: TestServer;
  beforeAll(async () => {
    github = await startGitHubShape();
    t = await startTestServer({
      PUBLIC_BASE_URL: PUBLIC,
      OAUTH_PROVIDERS: "github",
      OAUTH_GITHUB_CLIENT_ID: "id",
      OAUTH_GITHUB_CLIENT_SECRET: "secret",
      OAUTH_GITHUB_AUTHORIZATION_URL: `${github.base}/login/oauth/authorize`,
      OAUTH_GITHUB_TOKEN_URL: `${github.base}/login/oauth/access_token`,
      OAUTH_GITHUB_USERINFO_URL: `${github.base}/user`,
      OAUTH_GITHUB_EMAILS_URL: `${github.base}/user/emails`,
      OAUTH_ALLOWED_REDIRECT_URIS: APP,
    });
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
