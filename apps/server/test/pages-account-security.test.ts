import type { Browser, BrowserContext, CDPSession, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { browserMissing, launchBrowser, VIRTUAL_AUTHENTICATOR } from "./support/browser.js";
import { totpCode } from "./support/mfa.js";
import { freePort, seriousAxeViolations, submit, watchCsp } from "./support/pages.js";
import { call, type RunningServer, startServerProcess } from "./support/server-process.js";

// The second factors on the hosted pages in a real Chromium against the built server process:
// /account/security enrols an authenticator app (the code computed from the key the page shows)
// and adds a passkey (a CDP virtual authenticator makes it, pages.js carries it), and /mfa then
// signs in with either. The server runs on http://localhost: a passkey's RP id is a host name.
describe.skipIf(browserMissing())("second factors on the hosted pages (real browser, real process)", () => {
  let browser: Browser;
  let server: RunningServer;
  let base = "";
  let context: BrowserContext;
  let page: Page;
  let csp: Awaited<ReturnType<typeof watchCsp>>;
  const user = { username: `secpage${Date.now().toString(36)}`, password: "Correct-Horse-9-battery", email: "" };
  user.email = `${user.username}@example.com`;
  let secret = "";

  beforeAll(async () => {
    const port = await freePort();
    base = `http://localhost:${port}`;
    server = await startServerProcess({
      APP_PORT: String(port),
      PUBLIC_BASE_URL: base,
      REQUIRE_EMAIL_VERIFICATION: "false",
    });
    browser = await launchBrowser();
    context = await browser.newContext();
    csp = await watchCsp(context);
    page = await context.newPage();
    expect((await call(server.baseUrl, "POST", "/api/v1/auth/register", user)).status).toBe(201);
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    server?.child.kill("SIGTERM");
    await server?.exited;
  });

  const heading = () => page.getByRole("heading", { level: 1 }).textContent();
  const signIn = () => submit(page, { "Email address": user.email, Password: user.password }, "Sign in");
  const signOut = async () => {
    await page.goto(`${base}/account`);
    await submit(page, {}, "Sign out");
    expect(new URL(page.url()).pathname).toBe("/login");
  };
  const codesShown = () => page.locator(".codes li").allTextContents();

  it("enrols an authenticator app, refuses factor changes to the aal1 session, then signs in with its code", async () => {
    await page.goto(`${base}/login`);
    await signIn();
    expect(new URL(page.url()).pathname).toBe("/account");
    await page.getByRole("link", { name: /Two-step verification/ }).click();
    await page.waitForLoadState("load");
    expect(new URL(page.url()).pathname).toBe("/account/security");
    await expect(page.getByText("None yet").count()).resolves.toBe(1);
    expect(await seriousAxeViolations(page)).toEqual([]);

    await submit(page, {}, "Set up an authenticator app");
    secret = (await page.locator("#totp-secret").textContent()) ?? "";
    expect(secret).toMatch(/^[A-Z2-7]{16,}$/);
    // The QR code is the use case's data: SVG, which this page's CSP (alone) lets render.
    expect(await page.evaluate<number>('document.querySelector("img.qr").naturalWidth')).toBeGreaterThan(0);
    expect(await seriousAxeViolations(page)).toEqual([]);

    await submit(page, { "Code from the app": "000000" }, "Confirm the app");
    await expect(page.getByRole("alert").textContent()).resolves.toContain("not right");
    // A wrong code leaves the enrolment pending: it guards nothing, so start again.
    await submit(page, {}, "Set up an authenticator app");
    secret = (await page.locator("#totp-secret").textContent()) ?? "";
    await submit(page, { "Code from the app": totpCode(secret, new Date()) }, "Confirm the app");
    await expect(page.getByRole("status").textContent()).resolves.toContain("authenticator app is set up");
    const firstCodes = await codesShown();
    expect(firstCodes).toHaveLength(10);
    await expect(page.getByText("Authenticator app · added").count()).resolves.toBe(1);
    expect(await seriousAxeViolations(page)).toEqual([]);

    // This session was signed in with the password alone (aal1), as the API's token would be.
    await submit(page, {}, "Make new recovery codes");
    await expect(page.getByRole("alert").textContent()).resolves.toContain("needs a recent second factor");
    expect(await codesShown()).toEqual([]);

    await signOut();
    await signIn();
    expect(await heading()).toContain("Two-step verification");
    // No passkey yet: the page offers none.
    await expect(page.getByRole("button", { name: "Use a passkey" }).count()).resolves.toBe(0);
    // The next time step: the enrolment used the current one, and a step is accepted once.
    await submit(page, { "Authentication code": totpCode(secret, new Date(Date.now() + 30_000)) }, "Verify");
    expect(new URL(page.url()).pathname).toBe("/account");

    // Signed in with the app: aal2, so the same change is allowed now.
    await page.goto(`${base}/account/security`);
    await submit(page, {}, "Make new recovery codes");
    await expect(page.getByRole("status").textContent()).resolves.toContain("New recovery codes");
    const newCodes = await codesShown();
    expect(newCodes).toHaveLength(10);
    expect(newCodes).not.toEqual(firstCodes);
    expect(await csp.violations(page)).toEqual([]);
  }, 180_000);

  it("adds a passkey on /account/security, then signs in with it from /mfa", async () => {
    const cdp: CDPSession = await context.newCDPSession(page);
    await cdp.send("WebAuthn.enable");
    const { authenticatorId } = await cdp.send("WebAuthn.addVirtualAuthenticator", VIRTUAL_AUTHENTICATOR);
    await page.goto(`${base}/account/security`);
    await page.getByLabel("Passkey name (optional)").fill("Laptop");
    await Promise.all([
      page.waitForURL(`${base}/account/security/passkey`),
      page.getByRole("button", { name: "Add a passkey" }).click(),
    ]);
    await page.waitForLoadState("load");
    await expect(page.getByRole("status").textContent()).resolves.toContain("passkey was added");
    await expect(page.getByText("Passkey · added").count()).resolves.toBe(1);
    // The account has recovery codes already: none are shown again.
    expect(await codesShown()).toEqual([]);
    expect((await cdp.send("WebAuthn.getCredentials", { authenticatorId })).credentials).toHaveLength(1);
    expect(await seriousAxeViolations(page)).toEqual([]);

    await signOut();
    await signIn();
    expect(await heading()).toContain("Two-step verification");
    expect(await seriousAxeViolations(page)).toEqual([]);
    // The options endpoint answers a refusal with the catalogue's text, not a page.
    const refused = await page.evaluate<{ status: number; text: string }>(`(async () => {
      const form = document.querySelector("form[data-passkey]");
      const body = new URLSearchParams({ _csrf: form.elements._csrf.value, mfa_token: "not-a-token" });
      const answer = await fetch("/mfa/passkey-options", { method: "POST", body });
      return { status: answer.status, text: (await answer.json()).error.text };
    })()`);
    expect(refused).toEqual({ status: 401, text: "This sign-in step has expired or was used already. Sign in again." });

    await Promise.all([
      page.waitForURL(`${base}/account`),
      page.getByRole("button", { name: "Use a passkey" }).click(),
    ]);
    expect(await context.cookies()).toContainEqual(expect.objectContaining({ name: "gh_session", httpOnly: true }));
    await expect(page.getByText(user.email).count()).resolves.toBeGreaterThan(0);
    expect(await csp.violations(page)).toEqual([]);
  }, 180_000);

  it("without JavaScript offers no passkey button, says why, and keeps the code forms", async () => {
    const plain = await browser.newContext({ javaScriptEnabled: false });
    const plainCsp = await watchCsp(plain, false);
    const noScript = await plain.newPage();
    await noScript.goto(`${base}/login`);
    await submit(noScript, { "Email address": user.email, Password: user.password }, "Sign in");
    await expect(noScript.getByRole("heading", { level: 1 }).textContent()).resolves.toContain("Two-step verification");
    await expect(noScript.getByRole("button", { name: "Use a passkey" }).isVisible()).resolves.toBe(false);
    await expect(noScript.getByText("Using a passkey needs JavaScript").isVisible()).resolves.toBe(true);
    await expect(noScript.getByLabel("Authentication code", { exact: true }).isVisible()).resolves.toBe(true);
    await expect(noScript.getByLabel("Or a recovery code").isVisible()).resolves.toBe(true);
    expect(await plainCsp.violations(noScript)).toEqual([]);
    await plain.close();
  }, 120_000);

  it("removes the passkey from the aal2 session, and refuses a stale form naming it again", async () => {
    await page.goto(`${base}/account/security`);
    const passkeyRow = page.locator("li", { hasText: "Passkey · added" });
    const passkeyId = await passkeyRow.locator('input[name="factor_id"]').inputValue();
    await passkeyRow.getByRole("button", { name: /^Remove Passkey/ }).click();
    await page.waitForLoadState("load");
    await expect(page.getByRole("status").textContent()).resolves.toContain("second factor was removed");
    await expect(page.getByText("Passkey · added").count()).resolves.toBe(0);
    await expect(page.getByText("Authenticator app · added").count()).resolves.toBe(1);

    // A form still naming the removed passkey (another tab, the back button) posts its id.
    await page.evaluate(
      `document.querySelector('form[action="/account/security/factors/remove"] input[name="factor_id"]').value = ${JSON.stringify(passkeyId)}`,
    );
    await page.getByRole("button", { name: /^Remove Authenticator app/ }).click();
    await page.waitForLoadState("load");
    await expect(page.getByRole("alert").textContent()).resolves.toContain("does not exist or was removed already");
    await expect(page.getByText("Authenticator app · added").count()).resolves.toBe(1);
    expect(await csp.violations(page)).toEqual([]);
  }, 120_000);
});
