import { createHash, randomBytes } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startOidcProvider, type TestOpenIdProvider } from "./support/oidc-provider.js";
import { type RunningServer, startServerProcess } from "./support/server-process.js";

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return (server.address() as AddressInfo).port;
}

/** A loopback port free right now: Gatehouse must know its public URL before it starts. */
async function freePort(): Promise<number> {
  const probe = createServer();
  const port = await listen(probe);
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

interface AppOutcome {
  readonly exchangeStatus: number;
  readonly meStatus: number;
  readonly me: { email?: string; id?: string } | undefined;
  readonly receivedQuery: string[];
}

/**
 * The app: a web server with one sign-in landing page. It checks its own state, trades the
 * one-time code (with its PKCE verifier) at Gatehouse over HTTP and calls /auth/me with the
 * access token, then shows what it got.
 */
async function startApp(gatehouse: () => string, expected: { state: string; verifier: string }) {
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://app.local");
    void (async () => {
      if (url.searchParams.get("state") !== expected.state) throw new Error("the app's state did not come back");
      const exchange = await fetch(`${gatehouse()}/api/v1/auth/oauth/token`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ code: url.searchParams.get("code"), code_verifier: expected.verifier }),
      });
      const tokens = (await exchange.json()) as { data?: { access_token: string } };
      const me = await fetch(`${gatehouse()}/api/v1/auth/me`, {
        headers: { authorization: `Bearer ${tokens.data?.access_token ?? ""}` },
      });
      const outcome: AppOutcome = {
        exchangeStatus: exchange.status,
        meStatus: me.status,
        me: ((await me.json()) as { data?: AppOutcome["me"] }).data,
        receivedQuery: [...url.searchParams.keys()].sort(),
      };
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(outcome));
    })().catch((error: unknown) => res.writeHead(500).end(String(error)));
  });
  const port = await listen(server);
  return { server, url: `http://127.0.0.1:${port}/signed-in` };
}

describe("end to end: social login through the real server process over real HTTP", () => {
  let provider: TestOpenIdProvider;
  let gatehouse: RunningServer | undefined;
  let app: Awaited<ReturnType<typeof startApp>>;
  let base: string;
  const appState = randomBytes(8).toString("hex");
  const verifier = randomBytes(32).toString("base64url");

  beforeAll(async () => {
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    provider = await startOidcProvider({ redirectUris: [`${base}/api/v1/auth/oauth/acme/callback`] });
    app = await startApp(() => base, { state: appState, verifier });
    gatehouse = await startServerProcess({
      APP_PORT: String(port),
      PUBLIC_BASE_URL: base,
      REQUIRE_EMAIL_VERIFICATION: "false",
      OAUTH_PROVIDERS: "acme",
      OAUTH_ACME_CLIENT_ID: provider.clientId,
      OAUTH_ACME_CLIENT_SECRET: provider.clientSecret,
      OAUTH_ACME_ISSUER: provider.issuer,
      OAUTH_ALLOWED_REDIRECT_URIS: app.url,
    });
  }, 120_000);
  afterAll(async () => {
    if (gatehouse !== undefined && gatehouse.child.exitCode === null) gatehouse.child.kill("SIGKILL");
    app?.server.close();
    await provider?.close();
  });

  it("app → Gatehouse → provider → Gatehouse → app → token exchange → /auth/me", async () => {
    const subject = `e2e-${randomBytes(4).toString("hex")}`;
    provider.accounts.set(subject, { email: `${subject}@example.com`, email_verified: true, name: "End To End" });
    const challenge = createHash("sha256").update(verifier).digest("base64url");

    // The app sends the browser to Gatehouse.
    const startUrl = new URL(`${base}/api/v1/auth/oauth/acme`);
    startUrl.search = new URLSearchParams({
      redirect_uri: app.url,
      state: appState,
      code_challenge: challenge,
      code_challenge_method: "S256",
    }).toString();
    const toProvider = await fetch(startUrl, { redirect: "manual" });
    expect(toProvider.status).toBe(302);
    const authorize = String(toProvider.headers.get("location"));
    expect(new URL(authorize).origin).toBe(provider.issuer);

    // The user signs in at the provider, which sends the browser back to Gatehouse.
    const back = await provider.signIn(authorize, subject);
    expect(`${back.origin}${back.pathname}`).toBe(`${base}/api/v1/auth/oauth/acme/callback`);
    const toApp = await fetch(back, { redirect: "manual" });
    expect(toApp.status).toBe(302);
    expect(toApp.headers.get("cache-control")).toBe("no-store");
    const landing = new URL(String(toApp.headers.get("location")));
    expect(`${landing.origin}${landing.pathname}`).toBe(app.url);

    // The app trades the one-time code and asks who signed in.
    const page = await fetch(landing);
    expect(page.status, await page.clone().text()).toBe(200);
    const outcome = (await page.json()) as AppOutcome;
    expect(outcome.receivedQuery).toEqual(["code", "state"]); // no token in the URL
    expect(outcome.exchangeStatus).toBe(200);
    expect(outcome.meStatus).toBe(200);
    expect(outcome.me?.email).toBe(`${subject}@example.com`);

    // The same landing URL again (a replayed code) buys nothing.
    const replayed = (await (await fetch(landing)).json()) as AppOutcome;
    expect(replayed.exchangeStatus).toBe(400);
    expect(replayed.meStatus).toBe(401);
  });
});
