import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { browserMissing, launchBrowser, VIRTUAL_AUTHENTICATOR } from "./support/browser.js";
import { freePort, newPageUser, type PageUser, seriousAxeViolations, submit, watchCsp } from "./support/pages.js";
import { call, type RunningServer, startServerProcess } from "./support/server-process.js";

type Json = Record<string, unknown>;

// /login's other ways in, in Debian's Chromium against the real server process on
// http://localhost (the passkeys' RP id): reactivating a deactivated account, and the
// passwordless passkey button with a CDP virtual authenticator. Refusals: pages-reactivate and
// pages-passkey-login (inject).
describe.skipIf(browserMissing())("reactivation and passkey sign-in on /login (real browser, real process)", () => {
  let browser: Browser;
  let server: RunningServer;
  let base = "";
  const cspViolations: string[] = [];

  beforeAll(async () => {
    const port = await freePort();
    base = `http://localhost:${port}`;
    server = await startServerProcess({
      APP_PORT: String(port),
      PUBLIC_BASE_URL: base,
      REQUIRE_EMAIL_VERIFICATION: "false",
      PASSKEY_LOGIN: "true",
      // Every test signs in from one address (the auth bucket): the limits are tested elsewhere.
      RATE_LIMIT_AUTH_REQUESTS: "100",
    });
    browser = await launchBrowser();
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    server?.child.kill("SIGTERM");
    await server?.exited;
  });

  async function open(javaScript = true): Promise<{ context: BrowserContext; page: Page; check: () => Promise<void> }> {
    const context = await browser.newContext({ javaScriptEnabled: javaScript });
    const csp = await watchCsp(context, javaScript);
    const page = await context.newPage();
    return { context, page, check: async () => void cspViolations.push(...(await csp.violations(page))) };
  }

  async function registered(prefix: string): Promise<PageUser & { accessToken: string }> {
    const user = newPageUser(prefix);
    expect((await call(server.baseUrl, "POST", "/api/v1/auth/register", user)).status).toBe(201);
    const login = await call(server.baseUrl, "POST", "/api/v1/auth/login", {
      email: user.email,
      password: user.password,
    });
    return { ...user, accessToken: (login.body.data as { access_token: string }).access_token };
  }

  const pathOf = (page: Page) => `${new URL(page.url()).pathname}${new URL(page.url()).search}`;

  it("a deactivated user signing in is offered reactivation; the password brings the account back", async () => {
    const user = await registered("brea");
    const gone = await call(base, "POST", "/api/v1/users/me/deactivate", { password: user.password }, user.accessToken);
    expect(gone.status).toBe(200);
    const { context, page, check } = await open();
    await page.goto(`${base}/login`);
    await submit(page, { "Email address": user.email, Password: user.password }, "Sign in");
    expect(await page.getByRole("heading", { level: 1 }).textContent()).toBe("Your account is deactivated");
    expect(await page.getByLabel("Email address").inputValue()).toBe(user.email);
    const found: Record<string, string[]> = { offer: await seriousAxeViolations(page) };

    await submit(page, { Password: "not-the-password" }, "Reactivate account");
    expect(await page.getByRole("alert").textContent()).toContain("The email address or password is not right");
    found.refused = await seriousAxeViolations(page);
    await submit(page, { Password: user.password }, "Reactivate account");
    expect(pathOf(page)).toBe("/login?notice=account_reactivated");
    expect(await page.getByRole("status").textContent()).toContain("Your account is active again");
    await submit(page, { "Email address": user.email, Password: user.password }, "Sign in");
    expect(pathOf(page)).toBe("/account");
    expect(found).toEqual({ offer: [], refused: [] });
    await check();
    await context.close();
  }, 120_000);

  it("the passkey button signs a user in with the browser's discoverable passkey; axe and CSP clean", async () => {
    const user = await registered("bpk");
    const { context, page, check } = await open();
    const cdp = await context.newCDPSession(page);
    await cdp.send("WebAuthn.enable");
    await cdp.send("WebAuthn.addVirtualAuthenticator", VIRTUAL_AUTHENTICATOR);
    await page.goto(`${base}/login`);
    // The passkey is made by this browser, registered through the API as an app would.
    const options = await call(
      server.baseUrl,
      "POST",
      "/api/v1/users/me/mfa/webauthn/options",
      undefined,
      user.accessToken,
    );
    const credential = await page.evaluate<Json>(
      `(async (json) => (await navigator.credentials.create({ publicKey: PublicKeyCredential.parseCreationOptionsFromJSON(json) })).toJSON())(${JSON.stringify(options.body.data)})`,
    );
    const done = await call(base, "POST", "/api/v1/users/me/mfa/webauthn/verify", { credential }, user.accessToken);
    expect(done.status).toBe(200);

    await page.reload();
    const button = page.getByRole("button", { name: "Sign in with a passkey" });
    expect(await button.isVisible()).toBe(true);
    expect(await seriousAxeViolations(page)).toEqual([]);
    await button.click();
    await page.waitForURL((url) => url.pathname === "/account");
    expect(await page.locator("main").textContent()).toContain(user.email);
    const session = (await context.cookies()).find((cookie) => cookie.name === "gh_session");
    expect(session?.httpOnly).toBe(true);
    await check();
    await context.close();
  }, 120_000);

  it("without JavaScript the passkey button is absent and the password still signs in", async () => {
    const user = await registered("bnojs");
    const { context, page, check } = await open(false);
    await page.goto(`${base}/login`);
    expect(await page.getByRole("button", { name: "Sign in with a passkey" }).count()).toBe(0);
    expect(await page.getByRole("heading", { name: "Or without a password" }).count()).toBe(0);
    await submit(page, { "Email address": user.email, Password: user.password }, "Sign in");
    expect(pathOf(page)).toBe("/account");
    await check();
    await context.close();
  }, 120_000);

  it("no page had a CSP violation", () => {
    expect(cspViolations).toEqual([]);
  });
});
