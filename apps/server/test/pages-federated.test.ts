import { createHash, randomBytes } from "node:crypto";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { browserMissing, launchBrowser } from "./support/browser.js";
import { totpCode } from "./support/mfa.js";
import { startOidcProvider, type TestOpenIdProvider } from "./support/oidc-provider.js";
import { freePort, newPageUser, registerVerified, seriousAxeViolations, submit, watchCsp } from "./support/pages.js";
import { call, type RunningServer, startServerProcess } from "./support/server-process.js";
import { TestSmtpServer } from "./support/smtp-server.js";

// The provider buttons of /login and the Link button of /account end to end: the real server process, the test OpenID provider
// (panva's oidc-provider, its development login and consent forms) and Chromium clicking through
// both. OAUTH_ALLOWED_REDIRECT_URIS is unset: the pages' return address is allowed by the wiring.
describe.skipIf(browserMissing())("federated sign-in on the hosted pages (real browser, real process)", () => {
  let browser: Browser;
  let smtp: TestSmtpServer;
  let provider: TestOpenIdProvider;
  let server: RunningServer;
  let base: string;
  const cspViolations: string[] = [];

  beforeAll(async () => {
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    smtp = await TestSmtpServer.start();
    provider = await startOidcProvider({ redirectUris: [`${base}/api/v1/auth/oauth/acme/callback`] });
    server = await startServerProcess({
      APP_PORT: String(port),
      PUBLIC_BASE_URL: base,
      SMTP_URL: smtp.url,
      MAIL_POLL_INTERVAL_MS: "20",
      REQUIRE_EMAIL_VERIFICATION: "true",
      OAUTH_PROVIDERS: "acme",
      OAUTH_ACME_CLIENT_ID: provider.clientId,
      OAUTH_ACME_CLIENT_SECRET: provider.clientSecret,
      OAUTH_ACME_ISSUER: provider.issuer,
      // Sign-ins, registrations and links from one address (the auth bucket): limits are tested elsewhere.
      RATE_LIMIT_AUTH_REQUESTS: "100",
    });
    browser = await launchBrowser();
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    server?.child.kill("SIGTERM");
    await server?.exited;
    await provider?.close();
    await smtp?.stop();
  });

  async function open(): Promise<{ context: BrowserContext; page: Page; check: () => Promise<void> }> {
    const context = await browser.newContext();
    const csp = await watchCsp(context);
    const page = await context.newPage();
    const check = async () => {
      if (new URL(page.url()).origin === base) cspViolations.push(...(await csp.violations(page)));
    };
    return { context, page, check };
  }

  /** Plays the user at the provider's own pages: its login form as `subject`, then its consent. */
  async function signInAtProvider(page: Page, subject: string, deny = false) {
    await page.waitForURL((url) => url.origin === provider.issuer);
    if (deny) {
      await page.getByRole("link", { name: /cancel/i }).click();
    } else {
      await page.locator('input[name="login"]').fill(subject);
      await page.locator('input[name="password"]').fill("any");
      await page.locator('button[type="submit"]').click();
      await page.waitForLoadState("load");
      // Consent, when the provider asks: its one button.
      if (new URL(page.url()).origin === provider.issuer) await page.locator('button[type="submit"]').click();
    }
    await page.waitForURL((url) => url.origin === base);
    await page.waitForLoadState("load");
  }

  const newSubject = () => `fed-${randomBytes(4).toString("hex")}`;

  it("the button on /login signs a new provider user in and opens /account; axe and CSP clean", async () => {
    const subject = newSubject();
    provider.accounts.set(subject, { email: `${subject}@example.com`, email_verified: true, name: "Fed User" });
    const { context, page, check } = await open();
    await page.goto(`${base}/login`);
    expect(await seriousAxeViolations(page)).toEqual([]);
    await check();
    await page.getByRole("link", { name: "Sign in with Acme" }).click();
    // The PKCE verifier waits in an HttpOnly cookie scoped to the return path.
    const pending = (await context.cookies(`${base}/login/federated`)).find((c) => c.name === "gh_federated");
    expect(pending).toMatchObject({ httpOnly: true, sameSite: "Lax", path: "/login/federated" });
    await signInAtProvider(page, subject);

    expect(new URL(page.url()).pathname).toBe("/account");
    expect(await page.locator("main").textContent()).toContain(`${subject}@example.com`);
    const cookies = await context.cookies();
    expect(cookies.find((c) => c.name === "gh_session")?.httpOnly).toBe(true);
    expect(cookies.find((c) => c.name === "gh_federated")).toBeUndefined();
    await check();
    await context.close();
  }, 120_000);

  it("a user with an authenticator app gets the second step, and its code signs in", async () => {
    const user = newPageUser("fedmfa");
    await registerVerified(base, smtp, user);
    const login = await call(base, "POST", "/api/v1/auth/login", { email: user.email, password: user.password });
    const token = (login.body.data as { access_token: string }).access_token;
    const started = await call(base, "POST", "/api/v1/users/me/mfa/totp", undefined, token);
    const secret = (started.body.data as { secret: string }).secret;
    const confirmed = await call(
      base,
      "POST",
      "/api/v1/users/me/mfa/totp/verify",
      { code: totpCode(secret, new Date()) },
      token,
    );
    expect(confirmed.status).toBe(200);
    // Both sides verified the address: the provider account is linked to this user.
    const subject = newSubject();
    provider.accounts.set(subject, { email: user.email, email_verified: true });

    const { context, page, check } = await open();
    await page.goto(`${base}/login`);
    await page.getByRole("link", { name: "Sign in with Acme" }).click();
    await signInAtProvider(page, subject);
    await expect(page.getByRole("heading", { level: 1 }).textContent()).resolves.toContain("Two-step verification");
    // The spent code left the address bar; no session before the second factor.
    expect(page.url()).toBe(`${base}/login/federated`);
    expect(await context.cookies()).not.toContainEqual(expect.objectContaining({ name: "gh_session" }));
    await check();

    const code = totpCode(secret, new Date(Date.now() + 30_000));
    await page.getByLabel("Authentication code", { exact: true }).fill(code);
    await page.getByRole("button", { name: "Verify", exact: true }).click();
    await page.waitForLoadState("load");
    expect(new URL(page.url()).pathname).toBe("/account");
    expect(await page.locator("main").textContent()).toContain(user.email);
    await check();
    await context.close();
  }, 120_000);

  it("denied consent, a replayed code and a code without its verifier show the catalogue's text on /login", async () => {
    const subject = newSubject();
    provider.accounts.set(subject, { email: `${subject}@example.com`, email_verified: true });
    const { context, page, check } = await open();
    await page.goto(`${base}/login`);
    await page.getByRole("link", { name: "Sign in with Acme" }).click();
    await signInAtProvider(page, subject, true);
    expect(new URL(page.url()).pathname).toBe("/login/federated");
    expect(await page.getByRole("alert").textContent()).toContain("cancelled or refused");
    expect(await context.cookies()).not.toContainEqual(expect.objectContaining({ name: "gh_session" }));
    await check();

    // A code started in this browser, then opened again: single use, as in the API.
    await page.goto(`${base}/login`);
    let landing = "";
    page.on("request", (request) => {
      if (request.url().startsWith(`${base}/login/federated?`)) landing = request.url();
    });
    await page.getByRole("link", { name: "Sign in with Acme" }).click();
    await signInAtProvider(page, subject);
    expect(new URL(page.url()).pathname).toBe("/account");
    expect(new URL(landing).searchParams.get("code")).not.toBeNull();
    await page.goto(landing);
    expect(await page.getByRole("alert").textContent()).toContain("used already");
    expect(new URL(page.url()).search).toBe("");
    await check();
    await context.close();

    // A code the attacker's own flow (through the API, with their own PKCE verifier) got for the
    // pages' return address, opened in the victim's browser (a login CSRF): it buys nothing.
    const startUrl = new URL(`${base}/api/v1/auth/oauth/acme`);
    const challenge = createHash("sha256").update(randomBytes(32).toString("base64url")).digest("base64url");
    startUrl.search = new URLSearchParams({
      redirect_uri: `${base}/login/federated`,
      code_challenge: challenge,
    }).toString();
    const toProvider = await fetch(startUrl, { redirect: "manual" });
    expect(toProvider.status).toBe(302);
    const back = await provider.signIn(String(toProvider.headers.get("location")), subject);
    const toPages = await fetch(back, { redirect: "manual" });
    const planted = new URL(String(toPages.headers.get("location")));
    expect(planted.searchParams.get("code")).not.toBeNull();
    const victim = await open();
    await victim.page.goto(planted.href);
    expect(await victim.page.getByRole("alert").textContent()).toContain("used already");
    expect(await victim.context.cookies()).not.toContainEqual(expect.objectContaining({ name: "gh_session" }));
    await victim.check();
    await victim.context.close();
  }, 120_000);

  it("a password user links the provider on /account: the button, the provider, the notice; axe and CSP clean", async () => {
    const user = newPageUser("fedlink");
    await registerVerified(base, smtp, user);
    const { page, context, check } = await open();
    await page.goto(`${base}/login`);
    await submit(page, { "Email address": user.email, Password: user.password }, "Sign in");
    expect(new URL(page.url()).pathname).toBe("/account");
    expect(await seriousAxeViolations(page)).toEqual([]);
    await check();

    const subject = newSubject();
    provider.accounts.set(subject, { email: `${subject}@example.com`, email_verified: true });
    // The form post's answer sends the browser on itself (`form-action 'self'` never sees the
    // provider). Here its zero-second refresh is taken out, so axe sees the hand-off page and its
    // link (for a browser ignoring the refresh) is followed; the second user below gets the refresh.
    await page.route(`${base}/account/identities/link`, async (route) => {
      const response = await route.fetch();
      const body = (await response.text()).replace(/<meta http-equiv="refresh"[^>]*>/, "");
      await route.fulfill({ response, body });
    });
    await page.getByRole("button", { name: "Link Acme", exact: true }).click();
    await page.waitForLoadState("load");
    expect(await page.getByRole("heading", { level: 1 }).textContent()).toBe("Link your Acme account");
    expect(await seriousAxeViolations(page)).toEqual([]);
    await check();
    await page.getByRole("link", { name: "Continue to Acme" }).click();
    await signInAtProvider(page, subject);
    expect(`${new URL(page.url()).pathname}${new URL(page.url()).search}`).toBe("/account?notice=identity_linked");
    expect(await page.getByRole("status").textContent()).toContain("The provider account was linked");
    expect(await page.locator("main").textContent()).toContain(`acme · ${subject}@example.com`);
    expect(await page.getByRole("button", { name: "Link Acme", exact: true }).count()).toBe(0);
    expect(await seriousAxeViolations(page)).toEqual([]);
    await check();
    await context.close();

    // The same provider account from another user's page: refused with the catalogue's text.
    const other = newPageUser("fedlink2");
    await registerVerified(base, smtp, other);
    const second = await open();
    await second.page.goto(`${base}/login`);
    await submit(second.page, { "Email address": other.email, Password: other.password }, "Sign in");
    expect(new URL(second.page.url()).pathname).toBe("/account");
    await second.page.getByRole("button", { name: "Link Acme", exact: true }).click();
    await signInAtProvider(second.page, subject);
    expect(new URL(second.page.url()).pathname).toBe("/account/identities/linked");
    expect(await second.page.getByRole("alert").textContent()).toContain("already linked to another user");
    expect(await second.page.locator("main").textContent()).toContain("No linked account.");
    expect(await seriousAxeViolations(second.page)).toEqual([]);
    await second.check();
    await second.context.close();
  }, 120_000);

  it("no page of the flows had a CSP violation", () => {
    expect(cspViolations).toEqual([]);
  });
});
