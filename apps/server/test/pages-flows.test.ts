import { testDatabaseKinds } from "@gatehouse/infrastructure/testing";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { browserMissing } from "./support/browser.js";
import { linkIn, newPageUser, type PageUser, registerVerified, submit, watchCsp } from "./support/pages.js";
import { type PagesRun, startPagesRun } from "./support/pages-run.js";
import { call } from "./support/server-process.js";
import { codeIn, type TestSmtpServer } from "./support/smtp-server.js";

const ADMIN = { email: "operator@example.com", password: "Lantern-Quarry-47-ivy" };
const ADMIN_ENV = { BOOTSTRAP_ADMIN_EMAIL: ADMIN.email, BOOTSTRAP_ADMIN_PASSWORD: ADMIN.password };

// The hosted pages end to end: the real server process (PGlite, and PostgreSQL + Redis when the
// run has them), a real SMTP server for the mails and Debian's Chromium clicking through them,
// with and without JavaScript.
describe.skipIf(browserMissing()).each(testDatabaseKinds())("hosted pages in a real browser (%s)", (kind) => {
  let browser: Browser;
  let smtp: TestSmtpServer;
  let base: string;
  let run: PagesRun | undefined;
  const cspViolations: string[] = [];

  beforeAll(async () => {
    run = await startPagesRun(kind, ADMIN_ENV);
    ({ smtp, base, browser } = run);
  }, 120_000);

  afterAll(async () => {
    await run?.close();
  });

  /** A fresh browser profile whose CSP violations end up in `cspViolations`. */
  async function open(javaScript = true): Promise<{ context: BrowserContext; page: Page; check: () => Promise<void> }> {
    const context = await browser.newContext({ javaScriptEnabled: javaScript, userAgent: "pages-e2e" });
    const csp = await watchCsp(context, javaScript);
    const page = await context.newPage();
    return { context, page, check: async () => void cspViolations.push(...(await csp.violations(page))) };
  }

  const registerByApi = (user: PageUser) => registerVerified(base, smtp, user);

  it("register, open the mailed link, verified, sign in, account, change password, revoke a session", async () => {
    const ada = newPageUser("ada");
    const { context, page, check } = await open();
    await page.goto(`${base}/register`);
    await submit(
      page,
      { Username: ada.username, "Email address": ada.email, Password: ada.password },
      "Create account",
    );
    await expect.poll(() => page.getByRole("status").textContent()).toContain("We sent a code");

    // The link only shows a button: opening it verifies nothing until the button posts it.
    const link = linkIn(await smtp.waitForMail(ada.email), "/verify-email");
    await page.goto(link);
    expect(new URL(page.url()).search).toBe(""); // the module took the token out of the address bar
    await submit(page, {}, "Verify my email address");
    expect(new URL(page.url()).pathname).toBe("/login");
    expect(await page.getByRole("status").textContent()).toContain("verified");

    await submit(page, { "Email address": ada.email, Password: ada.password }, "Sign in");
    expect(new URL(page.url()).pathname).toBe("/account");
    expect(await page.locator("dd").first().textContent()).toBe(ada.username);
    const cookies = await context.cookies();
    const session = cookies.find((cookie) => cookie.name === "gh_session");
    expect(session?.httpOnly).toBe(true);
    expect(session?.sameSite).toBe("Lax");
    // No page script can see the session: document.cookie holds neither it nor the CSRF secret.
    expect(await page.evaluate<string>("document.cookie")).toBe("");

    // A second session through the API, listed on the page, then signed out from it.
    const phone = await call(
      base,
      "POST",
      "/api/v1/auth/login",
      { email: ada.email, password: ada.password },
      undefined,
      {
        "user-agent": "phone",
      },
    );
    const phoneAccess = (phone.body.data as { access_token: string }).access_token;
    await page.reload();
    expect(await page.locator(".sessions li").count()).toBe(2);
    await page.locator(".sessions li", { hasText: "phone" }).getByRole("button").click();
    await page.waitForLoadState("load");
    expect(await page.getByRole("status").textContent()).toContain("session was signed out");
    expect(await page.locator(".sessions li").count()).toBe(1);
    expect((await call(base, "GET", "/api/v1/auth/me", undefined, phoneAccess)).status).toBe(401);

    // Change password: a wrong current password is refused in the error summary, which gets focus.
    await submit(
      page,
      { "Current password": "not-the-password", "New password": "Another-Horse-10-staple" },
      "Change password",
    );
    expect(await page.getByRole("alert").textContent()).toContain("The email address or password is not right");
    expect(await page.evaluate<string>("document.activeElement?.className")).toBe("error-summary");
    await submit(
      page,
      { "Current password": ada.password, "New password": "Another-Horse-10-staple" },
      "Change password",
    );
    expect(await page.getByRole("status").textContent()).toContain("password was changed");
    const oldPassword = await call(base, "POST", "/api/v1/auth/login", { email: ada.email, password: ada.password });
    expect(oldPassword.status).toBe(401);

    await submit(page, {}, "Sign out");
    expect(new URL(page.url()).pathname).toBe("/login");
    await page.goto(`${base}/account`);
    expect(new URL(page.url()).pathname).toBe("/login");
    await check();
    await context.close();
  }, 120_000);

  it("forgot password, open the mailed link, set a new password, sign in with it", async () => {
    const bob = newPageUser("bob");
    await registerByApi(bob);
    const { context, page, check } = await open();
    await page.goto(`${base}/forgot-password`);
    await submit(page, { "Email address": bob.email }, "Send reset code");
    expect(await page.getByRole("status").textContent()).toContain("If an account uses this address");
    const link = linkIn(await smtp.waitForMail(bob.email, 2), "/reset-password");
    await page.goto(link);
    await submit(page, { "New password": "Brand-New-Horse-11" }, "Set new password");
    expect(new URL(page.url()).pathname).toBe("/login");
    expect(await page.getByRole("status").textContent()).toContain("Your password was changed");
    await submit(page, { "Email address": bob.email, Password: "Brand-New-Horse-11" }, "Sign in");
    expect(new URL(page.url()).pathname).toBe("/account");
    await check();
    await context.close();
  }, 120_000);

  it("without JavaScript: a code verifies, a refusal shows its summary, login reaches the account", async () => {
    const cy = newPageUser("cy");
    expect((await call(base, "POST", "/api/v1/auth/register", cy)).status).toBe(201);
    const code = codeIn(await smtp.waitForMail(cy.email));
    const { context, page, check } = await open(false);
    await page.goto(`${base}/verify-email`);
    expect(await page.getByLabel("Code from the email").getAttribute("inputmode")).toBe("numeric");
    await submit(page, { "Email address": cy.email, "Code from the email": code }, "Verify");
    expect(new URL(page.url()).pathname).toBe("/login");
    await submit(page, { "Email address": cy.email, Password: "wrong-password-1" }, "Sign in");
    expect(await page.getByRole("alert").textContent()).toContain("The email address or password is not right");
    await submit(page, { "Email address": cy.email, Password: cy.password }, "Sign in");
    expect(new URL(page.url()).pathname).toBe("/account");
    expect(await page.locator("dd").nth(1).textContent()).toBe(cy.email);
    await check();
    await context.close();
  }, 120_000);

  it("a session ended elsewhere (sign out everywhere through the API) sends the open page to sign-in", async () => {
    const dee = newPageUser("dee");
    await registerByApi(dee);
    const { context, page, check } = await open();
    await page.goto(`${base}/login`);
    await submit(page, { "Email address": dee.email, Password: dee.password }, "Sign in");
    expect(new URL(page.url()).pathname).toBe("/account");
    const api = await call(base, "POST", "/api/v1/auth/login", { email: dee.email, password: dee.password });
    const access = (api.body.data as { access_token: string }).access_token;
    expect((await call(base, "POST", "/api/v1/auth/logout", { all_devices: true }, access)).status).toBe(200);
    await submit(page, { "Full name": "Dee Ended" }, "Save profile");
    expect(new URL(page.url()).pathname).toBe("/login");
    await check();
    await context.close();
  }, 120_000);

  it("an administrator suspends the user: the open account page is signed out on its next action", async () => {
    const fay = newPageUser("fay");
    const id = await registerByApi(fay);
    const { context, page, check } = await open();
    await page.goto(`${base}/login`);
    await submit(page, { "Email address": fay.email, Password: fay.password }, "Sign in");
    expect(new URL(page.url()).pathname).toBe("/account");
    const admin = await call(base, "POST", "/api/v1/auth/login", ADMIN);
    const token = (admin.body.data as { access_token: string }).access_token;
    const suspended = await call(base, "POST", `/api/v1/admin/users/${id}/suspend`, { reason: "abuse" }, token);
    expect(suspended.status).toBe(200);
    await submit(page, { "Full name": "Fay Suspended" }, "Save profile");
    expect(new URL(page.url()).pathname).toBe("/login");
    await submit(page, { "Email address": fay.email, Password: fay.password }, "Sign in");
    expect(await page.getByRole("alert").textContent()).toContain("This account is suspended");
    await check();
    await context.close();
  }, 120_000);

  it("keyboard only: Tab to each field, type, Enter signs in", async () => {
    const eli = newPageUser("eli");
    await registerByApi(eli);
    const { context, page, check } = await open();
    await page.goto(`${base}/login`);
    await page.keyboard.press("Tab");
    expect(await page.evaluate<string>("document.activeElement?.id")).toBe("email");
    await page.keyboard.type(eli.email);
    await page.keyboard.press("Tab");
    expect(await page.evaluate<string>("document.activeElement?.id")).toBe("password");
    await page.keyboard.type(eli.password);
    await page.keyboard.press("Enter");
    await page.waitForURL(`${base}/account`);
    await check();
    await context.close();
  }, 120_000);

  it("reported no CSP violation on any page", () => {
    expect(cspViolations).toEqual([]);
  });
});
