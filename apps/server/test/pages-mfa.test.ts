import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { browserMissing, launchBrowser } from "./support/browser.js";
import { totpCode } from "./support/mfa.js";
import { startPagesServer, submit } from "./support/pages.js";
import { call, type RunningServer } from "./support/server-process.js";
import { codeIn, TestSmtpServer } from "./support/smtp-server.js";

// Regression: once second factors existed, the sign-in page read tokens from every login result,
// and a user with an authenticator app could not sign in on the hosted pages at all. The page
// now shows the second step and completes it with the same use case as POST /auth/mfa/verify.
describe.skipIf(browserMissing())("hosted sign-in with an authenticator app (real browser, real process)", () => {
  let browser: Browser;
  let smtp: TestSmtpServer;
  let server: RunningServer;
  const user = { username: `mfapage${Date.now().toString(36)}`, password: "Correct-Horse-9-battery", email: "" };
  user.email = `${user.username}@example.com`;
  let secret = "";

  beforeAll(async () => {
    smtp = await TestSmtpServer.start();
    server = await startPagesServer(smtp);
    browser = await launchBrowser();
    const base = server.baseUrl;
    expect((await call(base, "POST", "/api/v1/auth/register", user)).status).toBe(201);
    const code = codeIn(await smtp.waitForMail(user.email));
    expect((await call(base, "POST", "/api/v1/register/verify", { email: user.email, code })).status).toBe(200);
    const login = await call(base, "POST", "/api/v1/auth/login", { email: user.email, password: user.password });
    const token = (login.body.data as { access_token: string }).access_token;
    const started = await call(base, "POST", "/api/v1/users/me/mfa/totp", undefined, token);
    secret = (started.body.data as { secret: string }).secret;
    const confirmed = await call(
      base,
      "POST",
      "/api/v1/users/me/mfa/totp/verify",
      { code: totpCode(secret, new Date()) },
      token,
    );
    expect(confirmed.status).toBe(200);
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    server?.child.kill("SIGTERM");
    await server?.exited;
    await smtp?.stop();
  });

  it("asks for the code after the password, refuses a wrong one (back to sign-in), accepts a fresh one", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${server.baseUrl}/login`);
    await submit(page, { "Email address": user.email, Password: user.password }, "Sign in");
    expect(page.url()).toBe(`${server.baseUrl}/login`);
    await expect(page.getByRole("heading", { level: 1 }).textContent()).resolves.toContain("Two-step verification");
    expect(await context.cookies()).not.toContainEqual(expect.objectContaining({ name: "gh_session" }));
    // The challenge lives in the form's body, never in the address.
    expect(page.url()).not.toContain("mfa_token");

    await submit(page, { "Authentication code": "000000" }, "Verify");
    await expect(page.getByRole("alert").textContent()).resolves.toContain("not right");
    expect(await context.cookies()).not.toContainEqual(expect.objectContaining({ name: "gh_session" }));

    await submit(page, { "Email address": user.email, Password: user.password }, "Sign in");
    // The next time step: the enrolment used the current one, and a step is accepted once.
    await submit(page, { "Authentication code": totpCode(secret, new Date(Date.now() + 30_000)) }, "Verify");
    expect(new URL(page.url()).pathname).toBe("/account");
    expect(await context.cookies()).toContainEqual(expect.objectContaining({ name: "gh_session", httpOnly: true }));
    await context.close();
  }, 120_000);
});
