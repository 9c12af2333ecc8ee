import { randomBytes } from "node:crypto";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { browserMissing, launchBrowser } from "./support/browser.js";
import { get } from "./support/http.js";
import { type Keycloak, keycloakMissing, sharedKeycloak, type TestRealm } from "./support/keycloak.js";
import { APP, exchange, PUBLIC } from "./support/oauth-flow.js";
import { startTestServer, type TestServer } from "./support/test-server.js";

const PASSWORD = "Tr1cky-Fjord-Lantern-88";

// Item 10 of the Keycloak issue: Keycloak as an OpenID provider of federated login
// (`keycloak` in OAUTH_PROVIDERS, discovery at {KEYCLOAK_URL}/realms/{realm}). A real Chromium
// signs in on Keycloak's own login page; Gatehouse answers the app with its one-time code.
describe.skipIf(keycloakMissing() ?? browserMissing())("Keycloak redirect sign-in", () => {
  let keycloak: Keycloak;
  let realm: TestRealm;
  let t: TestServer;
  let browser: Browser;

  beforeAll(async () => {
    keycloak = await sharedKeycloak();
    realm = await keycloak.createRealm();
    // Gatehouse's callback under the suite's public URL is an allowed redirect of the realm's client.
    const [client] = await keycloak.admin<Array<{ id: string } & Record<string, unknown>>>(
      "GET",
      `/${realm.name}/clients?clientId=${realm.appClient.id}`,
    );
    await keycloak.admin("PUT", `/${realm.name}/clients/${client?.id}`, {
      ...client,
      redirectUris: [`${PUBLIC}/api/v1/auth/oauth/keycloak/callback`],
    });
    t = await startTestServer({
      PUBLIC_BASE_URL: PUBLIC,
      OAUTH_PROVIDERS: "keycloak",
      OAUTH_ALLOWED_REDIRECT_URIS: APP,
      KEYCLOAK_URL: keycloak.url,
      KEYCLOAK_REALM: realm.name,
      KEYCLOAK_CLIENT_ID: realm.appClient.id,
      KEYCLOAK_CLIENT_SECRET: realm.appClient.secret,
    });
    browser = await launchBrowser();
  }, 300_000);
  afterAll(async () => {
    await browser?.close();
    await t?.close();
    await keycloak?.deleteRealm(realm);
  });

  it("signs a Keycloak user in through Keycloak's login page and hands the app Gatehouse tokens", async () => {
    const tag = randomBytes(4).toString("hex");
    const email = `redirect.${tag}@example.com`;
    await keycloak.admin("POST", `/${realm.name}/users`, {
      username: `redirect_${tag}`,
      email,
      firstName: "Red",
      lastName: "Irect",
      enabled: true,
      emailVerified: true,
      credentials: [{ type: "password", value: PASSWORD, temporary: false }],
    });

    const started = await t.app.inject({
      method: "GET",
      url: `/api/v1/auth/oauth/keycloak?redirect_uri=${encodeURIComponent(APP)}&state=app-state`,
    });
    expect(started.statusCode, started.body).toBe(302);
    const authorizeUrl = String(started.headers.location);
    expect(authorizeUrl.startsWith(`${realm.issuer}/protocol/openid-connect/auth?`)).toBe(true);

    const context = await browser.newContext();
    const page = await context.newPage();
    // The browser would now go to Gatehouse's callback; catch that URL and land it through inject.
    let callback: URL | undefined;
    await page.route(`${PUBLIC}/**`, async (route) => {
      callback = new URL(route.request().url());
      await route.fulfill({ status: 200, body: "ok" });
    });
    await page.goto(authorizeUrl);
    await page.fill("#username", email);
    await page.fill("#password", PASSWORD);
    await page.click("#kc-login");
    await expect.poll(() => callback, { timeout: 30_000 }).toBeDefined();
    await context.close();

    const landed = await t.app.inject({ method: "GET", url: `${callback?.pathname}${callback?.search}` });
    expect(landed.statusCode, landed.body).toBe(302);
    const app = new URL(String(landed.headers.location));
    expect(`${app.origin}${app.pathname}`).toBe(APP);
    expect(app.searchParams.get("state")).toBe("app-state");
    const code = app.searchParams.get("code");
    expect(code).toMatch(/.+/);

    const tokens = await exchange(t, code as string);
    expect(tokens.status, JSON.stringify(tokens.body)).toBe(200);
    const accessToken = (tokens.body.data as { access_token: string }).access_token;
    const me = await get(t, "/api/v1/auth/me", accessToken);
    expect(me.status).toBe(200);
    expect((me.body.data as { email: string }).email).toBe(email);
  }, 120_000);
});
