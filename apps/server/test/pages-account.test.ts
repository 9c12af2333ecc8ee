import { type TestDatabase, testDatabaseKinds } from "@gatehouse/infrastructure/testing";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { browserMissing, launchBrowser } from "./support/browser.js";
import {
  linkIn,
  newPageUser,
  type PageUser,
  postgresEnv,
  registerVerified,
  seriousAxeViolations,
  startPagesServer,
  submit,
  watchCsp,
} from "./support/pages.js";
import { call, type RunningServer } from "./support/server-process.js";
import { codeIn, TestSmtpServer } from "./support/smtp-server.js";

// The account page's email change, deactivation and deletion against the real server process
// (PGlite, and PostgreSQL + Redis when the run has them), its mails read from a real SMTP server,
// in Debian's Chromium with and without JavaScript. Unlinking is in pages-account-identities.
describe.skipIf(browserMissing()).each(testDatabaseKinds())("the account page in a real browser (%s)", (kind) => {
  let browser: Browser;
  let smtp: TestSmtpServer;
  let server: RunningServer;
  let base: string;
  let database: TestDatabase | undefined;
  const cspViolations: string[] = [];

  beforeAll(async () => {
    smtp = await TestSmtpServer.start();
    const postgres = kind === "postgres" ? await postgresEnv() : undefined;
    database = postgres?.database;
    server = await startPagesServer(smtp, {
      // Each test registers and signs in from one address (the auth bucket): the limits are tested
      // elsewhere. Page requests count per signed-in user (page-rate-limit.test.ts).
      RATE_LIMIT_AUTH_REQUESTS: "100",
      ...(postgres?.env ?? {}),
    });
    base = server.baseUrl;
    browser = await launchBrowser();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    server?.child.kill("SIGTERM");
    await server?.exited;
    await smtp?.stop();
    await database?.drop();
  });

  /** A registered, verified user signed in on a fresh browser profile at `/account`. */
  async function signedIn(
    prefix: string,
    javaScript = true,
  ): Promise<{ user: PageUser; context: BrowserContext; page: Page; check: () => Promise<void> }> {
    const user = newPageUser(prefix);
    await registerVerified(base, smtp, user);
    const context = await browser.newContext({ javaScriptEnabled: javaScript });
    const csp = await watchCsp(context, javaScript);
    const page = await context.newPage();
    await page.goto(`${base}/login`);
    await submit(page, { "Email address": user.email, Password: user.password }, "Sign in");
    expect(new URL(page.url()).pathname).toBe("/account");
    return { user, context, page, check: async () => void cspViolations.push(...(await csp.violations(page))) };
  }

  const apiLogin = (email: string, password: string) => call(base, "POST", "/api/v1/auth/login", { email, password });
  const alertText = (page: Page) => page.getByRole("alert").textContent();
  const statusText = (page: Page) => page.getByRole("status").textContent();

  it("without JavaScript: change the email, the code from the new address confirms it", async () => {
    const { user, context, page, check } = await signedIn("gia", false);
    const newEmail = `new-${user.email}`;
    const change = { "New email address": newEmail, "Password for the email change": "not-the-password" };
    await submit(page, change, "Change email address");
    expect(await alertText(page)).toContain("The email address or password is not right");
    // The refused address is shown again for correction; the password never is.
    expect(await page.getByLabel("New email address").inputValue()).toBe(newEmail);
    expect(await page.getByLabel("Password for the email change").inputValue()).toBe("");

    await submit(page, { ...change, "Password for the email change": user.password }, "Change email address");
    expect(await statusText(page)).toContain("If the new address can be used, we sent it a code");
    expect(await page.locator("details").getAttribute("open")).not.toBeNull();
    // Nothing changed yet: the old address still signs in, the page still shows it.
    expect(await page.locator("dd").nth(1).textContent()).toBe(user.email);
    const code = codeIn(await smtp.waitForMail(newEmail));
    const wrong = code === "000000" ? "111111" : "000000";

    await submit(page, { "Code from the email": wrong }, "Confirm new email address");
    expect(await alertText(page)).toContain("That code is not right");
    await submit(page, { "Code from the email": code }, "Confirm new email address");
    expect(await statusText(page)).toContain("Your email address was changed");
    expect(await page.locator("dd").nth(1).textContent()).toBe(newEmail);
    expect((await apiLogin(newEmail, user.password)).status).toBe(200);
    expect((await apiLogin(user.email, user.password)).status).toBe(401);
    await check();
    await context.close();
  }, 120_000);

  it("the mailed link: signed out it asks for sign-in; signed in, only its button confirms the change", async () => {
    const { user, context, page, check } = await signedIn("gus");
    const newEmail = `new-${user.email}`;
    const change = { "New email address": newEmail, "Password for the email change": user.password };
    await submit(page, change, "Change email address");
    const link = linkIn(await smtp.waitForMail(newEmail), "/verify-email-change");

    const stranger = await browser.newContext();
    const signedOut = await stranger.newPage();
    await signedOut.goto(link);
    expect(new URL(signedOut.url()).pathname).toBe("/login");
    expect(await statusText(signedOut)).toContain("Sign in to finish changing your email address");
    await stranger.close();

    await page.goto(link);
    expect(new URL(page.url()).search).toBe(""); // the module took the token out of the address bar
    expect((await apiLogin(newEmail, user.password)).status).toBe(401); // opening the link changed nothing
    await submit(page, {}, "Confirm new email address");
    expect(new URL(page.url()).pathname).toBe("/account");
    expect(await statusText(page)).toContain("Your email address was changed");
    expect((await apiLogin(newEmail, user.password)).status).toBe(200);
    await check();
    await context.close();
  }, 120_000);

  it("deactivate with the password: signed out to /login, where signing in offers reactivation", async () => {
    const { user, context, page, check } = await signedIn("hal");
    await submit(page, { "Password to deactivate": "not-the-password" }, "Deactivate account");
    expect(await alertText(page)).toContain("The email address or password is not right");
    await submit(page, { "Password to deactivate": user.password }, "Deactivate account");
    expect(new URL(page.url()).pathname).toBe("/login");
    expect(await statusText(page)).toContain("Your account is deactivated");
    expect((await context.cookies()).some((cookie) => cookie.name === "gh_session")).toBe(false);
    await submit(page, { "Email address": user.email, Password: user.password }, "Sign in");
    // No session: the reactivation form (pages-sign-in-browser.test.ts goes on through it).
    expect(await page.getByRole("heading", { level: 1 }).textContent()).toBe("Your account is deactivated");
    expect((await context.cookies()).some((cookie) => cookie.name === "gh_session")).toBe(false);
    await check();
    await context.close();
  }, 120_000);

  it("delete needs the ticked confirmation and the password, then the account is gone", async () => {
    const { user, context, page, check } = await signedIn("ivy");
    await submit(page, { "Password to delete": user.password }, "Delete account");
    expect(await alertText(page)).toContain("The confirmation must be ticked to delete the account");
    expect((await apiLogin(user.email, user.password)).status).toBe(200);

    await page.getByLabel("I understand that this deletes my account").check();
    await submit(page, { "Password to delete": user.password }, "Delete account");
    expect(new URL(page.url()).pathname).toBe("/login");
    expect(await statusText(page)).toContain("Your account is deleted");
    expect((await apiLogin(user.email, user.password)).status).toBe(401);
    await page.goto(`${base}/account`);
    expect(new URL(page.url()).pathname).toBe("/login");
    await check();
    await context.close();
  }, 120_000);

  it("a post without the CSRF token is refused before any use case runs", async () => {
    const { user, context, page, check } = await signedIn("jo");
    // The context's own cookies (session and CSRF secret) go along; only the form's token is missing.
    const posts = [
      ["/account/delete", { confirm: "yes", password: user.password }],
      ["/account/deactivate", { password: user.password }],
      ["/account/email", { email: `other-${user.email}`, current_password: user.password }],
    ] as const;
    for (const [path, form] of posts) {
      const refused = await context.request.post(`${base}${path}`, { form, maxRedirects: 0 });
      expect(refused.status(), path).toBe(403);
      expect(await refused.text(), path).toContain("This form has expired or was not sent from this site");
    }
    await page.reload();
    expect(new URL(page.url()).pathname).toBe("/account");
    expect((await apiLogin(user.email, user.password)).status).toBe(200);
    await check();
    await context.close();
  }, 120_000);

  it("the account page, its code step and its error states: zero serious or critical axe violations", async () => {
    const { user, context, page, check } = await signedIn("kit");
    const found: Record<string, string[]> = { page: await seriousAxeViolations(page) };
    await submit(page, { "Password to delete": user.password }, "Delete account");
    found["delete refused"] = await seriousAxeViolations(page);
    await submit(
      page,
      { "New email address": "not-an-address", "Password for the email change": "x" },
      "Change email address",
    );
    expect(await alertText(page)).toContain("Email address");
    found["email refused"] = await seriousAxeViolations(page);
    await page.locator("summary").click();
    await submit(page, { "Code from the email": "12" }, "Confirm new email address");
    found["code refused"] = await seriousAxeViolations(page);
    await page.goto(`${base}/verify-email-change?token=not-a-real-token`);
    found["link page"] = await seriousAxeViolations(page);
    await submit(page, {}, "Confirm new email address");
    expect(await alertText(page)).toContain("That code is not right");
    found["link refused"] = await seriousAxeViolations(page);
    expect(found).toEqual({
      page: [],
      "delete refused": [],
      "email refused": [],
      "code refused": [],
      "link page": [],
      "link refused": [],
    });
    await check();
    await context.close();
  }, 120_000);

  it("reported no CSP violation on any page", () => {
    expect(cspViolations).toEqual([]);
  });
});
