import { mkdirSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { browserMissing, launchBrowser } from "./support/browser.js";
import { linkIn, seriousAxeViolations, startPagesServer, submit, watchCsp } from "./support/pages.js";
import { call, type RunningServer } from "./support/server-process.js";
import { codeIn, TestSmtpServer } from "./support/smtp-server.js";

// Screenshots of every page at desktop and phone sizes: artifacts of the run, never committed.
const SCREENSHOTS = process.env.PAGES_SCREENSHOTS_DIR ?? join(tmpdir(), "gatehouse-page-screenshots");
const VIEWPORTS = [
  { name: "1280x800", width: 1280, height: 800 },
  { name: "390x844", width: 390, height: 844 },
] as const;

const user = { username: "axel", email: "axel@example.com", password: "Correct-Horse-9-battery" };

// The hosted pages' accessibility and browser-side security against the real server process:
// axe-core on every page and state, the CSP never violated, a post from another site refused.
describe.skipIf(browserMissing())("hosted pages: accessibility and security in a real browser", () => {
  let browser: Browser;
  let smtp: TestSmtpServer;
  let server: RunningServer;
  let base: string;
  let evil: Server;
  let evilOrigin: string;

  beforeAll(async () => {
    smtp = await TestSmtpServer.start();
    server = await startPagesServer(smtp);
    base = server.baseUrl;
    browser = await launchBrowser();
    // Another site: its page posts a sign-in form to Gatehouse as soon as it loads.
    evil = createServer((_request, response) => {
      response.setHeader("content-type", "text/html; charset=utf-8");
      response.end(
        `<!doctype html><html lang="en"><title>evil</title><form method="post" action="${base}/login">` +
          `<input name="email" value="${user.email}"><input name="password" value="${user.password}"></form>` +
          "<script>document.forms[0].submit()</script></html>",
      );
    });
    await new Promise<void>((resolve) => evil.listen(0, "127.0.0.1", resolve));
    evilOrigin = `http://localhost:${(evil.address() as AddressInfo).port}`;
    expect((await call(base, "POST", "/api/v1/auth/register", user)).status).toBe(201);
    const code = codeIn(await smtp.waitForMail(user.email));
    expect((await call(base, "POST", "/api/v1/register/verify", { email: user.email, code })).status).toBe(200);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await new Promise<void>((resolve) => evil?.close(() => resolve()));
    server?.child.kill("SIGTERM");
    await server?.exited;
    await smtp?.stop();
  });

  it("every page and error state: zero serious or critical axe violations, no CSP violation", async () => {
    const context = await browser.newContext();
    const csp = await watchCsp(context);
    const page = await context.newPage();
    const found: Record<string, string[]> = {};
    mkdirSync(SCREENSHOTS, { recursive: true });
    const audit = async (name: string) => {
      found[name] = [...(await seriousAxeViolations(page)), ...(await csp.violations(page))];
      const file = name.replace(/[^a-z0-9]+/gi, "-").replace(/^-|-$/g, "");
      for (const viewport of VIEWPORTS) {
        await page.setViewportSize(viewport);
        await page.screenshot({ path: join(SCREENSHOTS, `${file}-${viewport.name}.png`), fullPage: true });
      }
    };
    for (const path of ["/login", "/register", "/verify-email", "/forgot-password", "/reset-password"]) {
      await page.goto(`${base}${path}`);
      expect(await page.getAttribute("html", "lang")).toBe("en");
      await audit(path);
    }
    await page.goto(`${base}/verify-email?token=not-a-real-token`);
    await audit("/verify-email?token");
    await submit(page, {}, "Verify my email address");
    await audit("/verify-email refused");
    await page.goto(`${base}/register`);
    await submit(page, { Username: "x", "Email address": "not-an-email", Password: "short" }, "Create account");
    expect(await page.getByRole("alert").count()).toBe(1);
    await audit("/register refused");
    await page.goto(`${base}/login`);
    await submit(page, { "Email address": user.email, Password: user.password }, "Sign in");
    expect(new URL(page.url()).pathname).toBe("/account");
    await audit("/account");
    expect(Object.values(found).flat()).toEqual([]);
    expect(Object.keys(found)).toHaveLength(9);
    await context.close();
  }, 120_000);

  it("the CSP watcher reports an inline script the policy blocks (so its silence means something)", async () => {
    const context = await browser.newContext();
    const csp = await watchCsp(context);
    const page = await context.newPage();
    await page.goto(`${base}/login`);
    await page.evaluate(`(() => {
      const script = document.createElement("script");
      script.textContent = "window.injected = true";
      document.body.appendChild(script);
    })()`);
    await expect.poll(async () => (await csp.violations(page)).length).toBeGreaterThan(0);
    expect(await page.evaluate("window.injected === true")).toBe(false);
    await context.close();
  }, 60_000);

  it("a form posted from another site is refused and signs nobody in", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const answer = page.waitForResponse((response) => response.url() === `${base}/login`);
    await page.goto(`${evilOrigin}/`);
    const response = await answer;
    expect(response.status()).toBe(403);
    await page.waitForLoadState("load");
    expect(await page.getByRole("alert").textContent()).toContain("was not sent from this site");
    expect((await context.cookies(base)).some((cookie) => cookie.name.endsWith("gh_session"))).toBe(false);
    await context.close();
  }, 60_000);

  it("a foreign Origin is refused even with a valid CSRF token and cookie; the same post from here passes", async () => {
    const form = await fetch(`${base}/login`);
    const cookie = (form.headers.get("set-cookie") ?? "").split(";")[0] as string;
    const token = /name="_csrf" value="([^"]+)"/.exec(await form.text())?.[1] as string;
    const post = (origin: string) =>
      fetch(`${base}/login`, {
        method: "POST",
        redirect: "manual",
        headers: { "content-type": "application/x-www-form-urlencoded", cookie, origin },
        body: new URLSearchParams({ _csrf: token, email: user.email, password: user.password }).toString(),
      });
    const foreign = await post(evilOrigin);
    expect(foreign.status).toBe(403);
    expect(foreign.headers.get("set-cookie") ?? "").not.toContain("gh_session");
    const own = await post(base);
    expect(own.status).toBe(303);
    expect(own.headers.get("location")).toBe("/account");
    expect(own.headers.get("set-cookie")).toContain("gh_session=");
  }, 60_000);

  it("the mailed reset link lands on a page that keeps the token out of other sites' reach", async () => {
    await call(base, "POST", "/api/v1/auth/forgot-password", { email: user.email });
    const link = linkIn(await smtp.waitForMail(user.email, 2), "/reset-password");
    const landing = await fetch(link);
    expect(landing.headers.get("referrer-policy")).toBe("same-origin");
    expect(landing.headers.get("content-security-policy")).toMatch(/frame-ancestors 'none'/);
    // Opening the link consumed nothing: the token still resets the password once.
    const token = new URL(link).searchParams.get("token") as string;
    const reset = await call(base, "POST", "/api/v1/auth/reset-password", { token, new_password: "Reset-Horse-12" });
    expect(reset.status).toBe(200);
  }, 60_000);
});
