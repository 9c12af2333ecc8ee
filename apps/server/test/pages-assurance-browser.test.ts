import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { browserMissing, launchBrowser } from "./support/browser.js";
import { totpCode } from "./support/mfa.js";
import {
  expectNoViolations,
  newPageUser,
  registerVerified,
  seriousAxeViolations,
  startPagesServer,
  submit,
  watchCsp,
} from "./support/pages.js";
import type { RunningServer } from "./support/server-process.js";
import { TestSmtpServer } from "./support/smtp-server.js";

/** The key a page shows for the authenticator app (its QR code holds the same). */
async function shownSecret(page: Page): Promise<string> {
  const secret = (await page.locator("#totp-secret").textContent()) ?? "";
  expect(secret).toMatch(/^[A-Z2-7]{32}$/);
  return secret;
}

/** The next 30-second step's code: a step already used for the enrolment is accepted once only. */
const nextCode = (secret: string) => totpCode(secret, new Date(Date.now() + 30_000));

// The second-factor states of the hosted pages that inject tests render but no browser had seen:
// the enrolment a policy demands at sign-in, and "Confirm it's you" before a sensitive change.
// Each is checked with axe and for CSP violations, and completed in the real browser.
describe.skipIf(browserMissing())("second-factor page states in a real browser", () => {
  let browser: Browser;
  let smtp: TestSmtpServer;
  const servers: RunningServer[] = [];

  /** A fresh context whose `close` first checks that no page reported a CSP violation. */
  async function openContext(): Promise<{ page: Page; cookies: BrowserContext["cookies"]; close(): Promise<void> }> {
    const context = await browser.newContext();
    const csp = await watchCsp(context);
    const page = await context.newPage();
    return {
      page,
      cookies: () => context.cookies(),
      async close() {
        expectNoViolations(await csp.violations(page));
        await context.close();
      },
    };
  }

  beforeAll(async () => {
    smtp = await TestSmtpServer.start();
    browser = await launchBrowser();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    for (const server of servers) {
      server.child.kill("SIGTERM");
      await server.exited;
    }
    await smtp?.stop();
  });

  it("MFA_POLICY=required: sign-in shows the app enrolment, whose code signs in and shows the recovery codes", async () => {
    const server = await startPagesServer(smtp, { MFA_POLICY: "required" });
    servers.push(server);
    const user = newPageUser("policy");
    await registerVerified(server.baseUrl, smtp, user);
    const { page, cookies, close } = await openContext();
    await page.goto(`${server.baseUrl}/login`);
    await submit(page, { "Email address": user.email, Password: user.password }, "Sign in");
    await expect(page.getByRole("button", { name: "Confirm the app and sign in" }).isVisible()).resolves.toBe(true);
    expect(await cookies()).not.toContainEqual(expect.objectContaining({ name: "gh_session" }));
    expect(page.url()).not.toContain("mfa_token");
    expectNoViolations(await seriousAxeViolations(page));

    // A wrong code: the summary says so and a new key is shown (the refused one is never shown again).
    const first = await shownSecret(page);
    await submit(page, { "Code from the app": "000000" }, "Confirm the app and sign in");
    await expect(page.getByRole("alert").isVisible()).resolves.toBe(true);
    expectNoViolations(await seriousAxeViolations(page));
    const secret = await shownSecret(page);
    expect(secret).not.toBe(first);

    await submit(page, { "Code from the app": totpCode(secret, new Date()) }, "Confirm the app and sign in");
    expect(await page.locator("ul.codes li").count()).toBe(10);
    expectNoViolations(await seriousAxeViolations(page));
    expect(await cookies()).toContainEqual(expect.objectContaining({ name: "gh_session", httpOnly: true }));
    await page.getByRole("link", { name: "Continue to your account" }).click();
    await page.waitForLoadState("load");
    expect(new URL(page.url()).pathname).toBe("/account");
    await close();
  }, 120_000);

  it("a password session of a user with an app confirms a code before the password changes", async () => {
    const server = await startPagesServer(smtp);
    servers.push(server);
    const user = newPageUser("stepup");
    await registerVerified(server.baseUrl, smtp, user);
    const { page, close } = await openContext();
    await page.goto(`${server.baseUrl}/login`);
    await submit(page, { "Email address": user.email, Password: user.password }, "Sign in");
    expect(new URL(page.url()).pathname).toBe("/account");

    // The app is added from this password-only session, which stays at one factor.
    await page.goto(`${server.baseUrl}/account/security`);
    await submit(page, {}, "Set up an authenticator app");
    const secret = await shownSecret(page);
    await submit(page, { "Code from the app": totpCode(secret, new Date()) }, "Confirm the app");
    expect(await page.locator("ul.codes li").count()).toBe(10);

    await page.goto(`${server.baseUrl}/account`);
    const fields = { "Current password": user.password, "New password": "Granite-Harbor-7305" };
    await submit(page, fields, "Change password");
    await expect(page.getByRole("heading", { name: "Confirm it's you" }).isVisible()).resolves.toBe(true);
    await expect(page.getByRole("alert").isVisible()).resolves.toBe(true);
    expectNoViolations(await seriousAxeViolations(page));

    await submit(page, { "Code from the app": "000000" }, "Confirm");
    await expect(page.getByRole("alert").isVisible()).resolves.toBe(true);
    await submit(page, { "Code from the app": nextCode(secret) }, "Confirm");
    await expect(page.getByRole("heading", { name: "Confirm it's you" }).count()).resolves.toBe(0);
    expectNoViolations(await seriousAxeViolations(page));

    await submit(page, fields, "Change password");
    await expect(page.getByRole("status").textContent()).resolves.toMatch(/password/i);
    await close();
  }, 120_000);
});
