import { mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { testDatabaseKinds } from "@gatehouse/infrastructure/testing";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { browserMissing } from "./support/browser.js";
import { totpCode } from "./support/mfa.js";
import { seriousAxeViolations, submit, watchCsp } from "./support/pages.js";
import { type PagesRun, startPagesRun } from "./support/pages-run.js";
import { call } from "./support/server-process.js";
import type { TestSmtpServer } from "./support/smtp-server.js";

// Screenshots of every console page at desktop and phone sizes: artifacts of the run, never committed.
const SCREENSHOTS = process.env.PAGES_SCREENSHOTS_DIR ?? join(tmpdir(), "gatehouse-page-screenshots");
const VIEWPORTS = [
  { name: "1280x800", width: 1280, height: 800 },
  { name: "390x844", width: 390, height: 844 },
] as const;
const ADMIN = { email: "console-root@example.com", password: "Lantern-Quarry-47-ivy" };
const PASSWORD = "Correct-Horse-9-battery";
// More than one page of the console's list (20 a page).
const SEEDED = 23;

// The admin console end to end: the real server process, Chromium signing in as the bootstrap
// super_admin, every action a real form post over the admin use cases.
describe.skipIf(browserMissing()).each(testDatabaseKinds())("admin console in a real browser (%s)", (kind) => {
  let browser: Browser;
  let smtp: TestSmtpServer;
  let base: string;
  let run: PagesRun | undefined;
  let token: string;
  const tag = `c${Date.now().toString(36)}`;
  const seeded: Array<{ id: string; username: string; email: string }> = [];

  async function api(method: string, path: string, body?: unknown, bearer = token) {
    return call(base, method, path, body, bearer);
  }

  /** A user created by the admin API, active and able to sign in. */
  async function createUser(name: string) {
    const user = { username: name, email: `${name}@example.com`, password: PASSWORD, status: "active" };
    const created = await api("POST", "/api/v1/admin/users", user);
    expect(created.status).toBe(201);
    return { id: (created.body.data as { id: string }).id, username: name, email: user.email };
  }

  beforeAll(async () => {
    run = await startPagesRun(kind, {
      BOOTSTRAP_ADMIN_EMAIL: ADMIN.email,
      BOOTSTRAP_ADMIN_PASSWORD: ADMIN.password,
      // Every test signs in through /login (the auth bucket, 5 a minute by default), and the seeding's
      // two dozen admin calls and the console's pages spend the admin's own admin bucket (60 a
      // minute): the limits themselves are tested elsewhere (page-rate-limit.test.ts).
      RATE_LIMIT_AUTH_REQUESTS: "100",
      RATE_LIMIT_ADMIN_REQUESTS: "1000",
      // The dashboard's rate-limited chart: refresh calls past a budget of 2 are real 429s, written
      // every second rather than every 15.
      RATE_LIMIT_REFRESH_REQUESTS: "2",
      RATE_LIMIT_REFUSALS_FLUSH_SECONDS: "1",
    });
    ({ smtp, base, browser } = run);
    const login = await call(base, "POST", "/api/v1/auth/login", ADMIN);
    token = (login.body.data as { access_token: string }).access_token;
    for (let index = 0; index < SEEDED; index += 1) seeded.push(await createUser(`${tag}u${index}`));
  }, 240_000);

  afterAll(async () => {
    await run?.close();
  });

  async function signedIn(email: string, password: string, javaScript = true) {
    const context: BrowserContext = await browser.newContext({ javaScriptEnabled: javaScript });
    const csp = await watchCsp(context, javaScript);
    const page: Page = await context.newPage();
    await page.goto(`${base}/login`);
    await submit(page, { "Email address": email, Password: password }, "Sign in");
    expect(new URL(page.url()).pathname).toBe("/account");
    return { context, page, csp };
  }

  it("anonymous visitors go to /login; a signed-in non-admin gets the API's 403", async () => {
    const anonymous = await fetch(`${base}/admin/users`, { redirect: "manual" });
    expect(anonymous.status).toBe(303);
    expect(anonymous.headers.get("location")).toBe("/login");
    const plain = seeded[0] as (typeof seeded)[number];
    const { context, page } = await signedIn(plain.email, PASSWORD);
    const response = await page.goto(`${base}/admin`);
    expect(response?.status()).toBe(403);
    expect(await page.getByRole("alert").textContent()).toContain("do not have the permission");
    const denied = await api("GET", `/api/v1/admin/audit-logs?action=access.denied&user_id=${plain.id}`);
    expect((denied.body.data as { items: unknown[] }).items.length).toBeGreaterThan(0);
    await context.close();
  }, 120_000);

  it("every console page: real numbers in the charts, zero serious axe violations, no CSP violation", async () => {
    const stats = (await api("GET", "/api/v1/admin/users/statistics")).body.data as {
      total_users: number;
      by_status: Record<string, number>;
    };
    expect(stats.total_users).toBeGreaterThanOrEqual(SEEDED + 1);
    const refreshes = [];
    for (let i = 0; i < 5; i += 1) refreshes.push((await call(base, "POST", "/api/v1/auth/refresh", {})).status);
    expect(refreshes.filter((status) => status === 429).length).toBeGreaterThanOrEqual(3);
    const { context, page, csp } = await signedIn(ADMIN.email, ADMIN.password);
    const found: Record<string, string[]> = {};
    mkdirSync(SCREENSHOTS, { recursive: true });
    const audit = async (name: string) => {
      expect(await page.getAttribute("html", "lang")).toBe("en");
      found[name] = [...(await seriousAxeViolations(page)), ...(await csp.violations(page))];
      for (const viewport of VIEWPORTS) {
        await page.setViewportSize(viewport);
        await page.screenshot({ path: join(SCREENSHOTS, `admin-${name}-${viewport.name}.png`), fullPage: true });
      }
    };
    await page.goto(`${base}/admin`);
    expect(await page.locator('[data-count="Users"]').textContent()).toBe(String(stats.total_users));
    const statusChart = page.locator("#by-status-caption").locator("..");
    expect(await statusChart.locator("svg desc").textContent()).toContain(`active: ${stats.by_status.active}`);
    expect(await statusChart.locator("tr", { hasText: "active" }).locator("td").textContent()).toBe(
      String(stats.by_status.active),
    );
    expect(await page.locator("svg title").count()).toBe(7);
    // The per-day series come from the audit trail: this operator's own sign-in is in today's bar.
    const today = new Date().toISOString().slice(5, 10);
    const signIns = page.locator("#sign-ins-per-day-caption").locator("..");
    const todays = await signIns.locator("tr", { hasText: today }).locator("td").textContent();
    expect(Number(todays)).toBeGreaterThanOrEqual(1);
    // The refused refresh calls above, once the server flushed them (every second here).
    const rateLimited = page.locator("#rate-limited-per-day-caption").locator("..");
    await expect
      .poll(
        async () => {
          await page.reload();
          return Number(await rateLimited.locator("tr", { hasText: today }).locator("td").textContent());
        },
        { timeout: 15_000, interval: 500 },
      )
      .toBeGreaterThanOrEqual(3);
    expect(
      Number(await page.locator('[data-count="Rate-limited requests, 30 days"]').textContent()),
    ).toBeGreaterThanOrEqual(3);
    // Two charts to a row on the desktop viewport, one to a row on a phone.
    const columns = async () =>
      new Set(
        await page
          .locator(".charts > .chart")
          .evaluateAll((charts) => charts.map((c) => c.getBoundingClientRect().left)),
      ).size;
    await page.setViewportSize({ width: 1280, height: 800 });
    expect(await columns()).toBe(2);
    await page.setViewportSize({ width: 390, height: 844 });
    expect(await columns()).toBe(1);
    await audit("dashboard");
    await page.goto(`${base}/admin/users`);
    await audit("users");
    await page.goto(`${base}/admin/users/${(seeded[1] as { id: string }).id}`);
    await audit("user");
    await page.goto(`${base}/admin/roles`);
    await audit("roles");
    await page.goto(`${base}/admin/audit`);
    await audit("audit");
    expect(found).toEqual({ dashboard: [], users: [], user: [], roles: [], audit: [] });
    await context.close();
  }, 180_000);

  it("search, filter and paginate users as GET /api/v1/admin/users does", async () => {
    const { context, page } = await signedIn(ADMIN.email, ADMIN.password);
    await page.goto(`${base}/admin/users`);
    await submit(page, { "Search (username, email or name)": tag }, "Filter");
    expect(await page.locator("#users tbody tr").count()).toBe(20);
    expect(await page.getByText(`Page 1 of 2 · ${SEEDED} in all`).count()).toBe(1);
    await page.getByRole("link", { name: "Next page" }).click();
    await page.waitForLoadState("load");
    expect(await page.locator("#users tbody tr").count()).toBe(SEEDED - 20);
    const viaApi = await api("GET", `/api/v1/admin/users?search=${tag}&page=2&per_page=20`);
    const names = (viaApi.body.data as { items: Array<{ username: string }> }).items.map((item) => item.username);
    expect(await page.locator("#users tbody th").allTextContents()).toEqual(names);
    await page.goto(`${base}/admin/users?search=${tag}&role=super_admin`);
    expect(await page.locator("#users tbody tr").count()).toBe(0);
    await context.close();
  }, 120_000);

  it("suspend with a reason signs the user's open account page out; reactivate; assign a role; audit diff", async () => {
    const target = seeded[2] as (typeof seeded)[number];
    const victim = await signedIn(target.email, PASSWORD);
    const { context, page } = await signedIn(ADMIN.email, ADMIN.password);
    await page.goto(`${base}/admin/users/${target.id}`);
    await submit(page, {}, "Suspend user");
    expect(await page.getByRole("alert").textContent()).toContain("Reason must be 1-500 characters");
    await submit(page, { "Reason for the suspension": "spam from this account" }, "Suspend user");
    expect(await page.getByRole("status").textContent()).toContain("suspended");
    expect(await page.locator("#user-status").textContent()).toContain("suspended");
    // The user's open account page: its next action lands on the sign-in page.
    await victim.page.getByRole("button", { name: "Save profile" }).click();
    await victim.page.waitForLoadState("load");
    expect(new URL(victim.page.url()).pathname).toBe("/login");
    await victim.context.close();
    await submit(page, {}, "Reactivate user");
    expect(await page.locator("#user-status").textContent()).toContain("active");
    await page.getByLabel("Role to assign").selectOption("admin");
    await submit(page, {}, "Assign role");
    expect(await page.getByRole("status").textContent()).toContain("role was assigned");
    const roles = await api("GET", `/api/v1/admin/users/${target.id}`);
    expect((roles.body.data as { roles: string[] }).roles).toContain("admin");
    await page.goto(`${base}/admin/audit?action=user.suspend&target=${target.id}`);
    const entry = page.locator(".audit-entry").first();
    expect(await entry.textContent()).toContain("user.suspend");
    const status = entry
      .locator("table.diff tr")
      .filter({ has: page.getByRole("rowheader", { name: "status", exact: true }) });
    expect(await status.locator("del").textContent()).toBe('"active"');
    expect(await status.locator("ins").textContent()).toBe('"suspended"');
    await context.close();
  }, 180_000);

  it("soft delete, restore, and permanent delete only with the typed username", async () => {
    const target = seeded[3] as (typeof seeded)[number];
    const { context, page } = await signedIn(ADMIN.email, ADMIN.password);
    await page.goto(`${base}/admin/users/${target.id}`);
    await submit(page, {}, "Delete user");
    expect(await page.getByRole("status").textContent()).toContain("can restore them");
    await submit(page, {}, "Restore user");
    expect(await page.getByRole("status").textContent()).toContain("restored");
    await submit(
      page,
      { [`Type the username ${target.username} to delete permanently`]: "wrong" },
      "Delete permanently",
    );
    expect(await page.getByRole("alert").textContent()).toContain("Type the user's username exactly");
    expect((await api("GET", `/api/v1/admin/users/${target.id}`)).status).toBe(200);
    await submit(
      page,
      { [`Type the username ${target.username} to delete permanently`]: target.username },
      "Delete permanently",
    );
    expect(new URL(page.url()).pathname).toBe("/admin/users");
    expect(await page.getByRole("status").textContent()).toContain("deleted permanently");
    expect((await api("GET", `/api/v1/admin/users/${target.id}`)).status).toBe(404);
    await context.close();
  }, 180_000);

  it("resets a user's second factors only once confirmed, and signs a user out everywhere", async () => {
    const target = seeded[5] as (typeof seeded)[number];
    const signIn = () => call(base, "POST", "/api/v1/auth/login", { email: target.email, password: PASSWORD });
    const userToken = (login: Awaited<ReturnType<typeof signIn>>) =>
      (login.body.data as { access_token?: string }).access_token ?? "";
    const enrolling = userToken(await signIn());
    const started = await api("POST", "/api/v1/users/me/mfa/totp", undefined, enrolling);
    const { secret } = started.body.data as { secret: string };
    const code = totpCode(secret, new Date());
    expect((await api("POST", "/api/v1/users/me/mfa/totp/verify", { code }, enrolling)).status).toBe(200);
    expect((await signIn()).body.data).toHaveProperty("mfa_required", true);

    const { context, page } = await signedIn(ADMIN.email, ADMIN.password);
    await page.goto(`${base}/admin/users/${target.id}`);
    const factors = page.getByRole("region", { name: "Second factors" });
    expect(await factors.textContent()).toContain("Authenticator app");
    await submit(page, {}, "Reset second factors");
    expect(await page.getByRole("alert").textContent()).toContain("must be ticked");
    expect((await signIn()).body.data).toHaveProperty("mfa_required", true);
    await page.getByRole("checkbox", { name: /I have confirmed who is asking/ }).check();
    await submit(page, {}, "Reset second factors");
    expect(await page.getByRole("status").textContent()).toContain("Every second factor of the user was removed");
    expect(await factors.textContent()).toContain("No second factor.");
    expect((await api("GET", "/api/v1/users/me", undefined, enrolling)).status).toBe(401);
    expect((await smtp.waitForMail(target.email)).subject).toContain("two-factor sign-in");

    const fresh = userToken(await signIn());
    expect(fresh).not.toBe("");
    expect((await api("GET", "/api/v1/users/me", undefined, fresh)).status).toBe(200);
    await submit(page, {}, "Sign out everywhere");
    expect(await page.getByRole("status").textContent()).toContain("Every session of the user was signed out");
    expect((await api("GET", "/api/v1/users/me", undefined, fresh)).status).toBe(401);
    await context.close();
  }, 180_000);

  it("with JavaScript disabled a status action completes; a cross-origin post is refused", async () => {
    const target = seeded[4] as (typeof seeded)[number];
    const { context, page } = await signedIn(ADMIN.email, ADMIN.password, false);
    await page.goto(`${base}/admin/users/${target.id}`);
    await submit(page, { "Reason for the suspension": "no-JS check" }, "Suspend user");
    expect(await page.locator("#user-status").textContent()).toContain("suspended");
    const cookies = await context.cookies(base);
    const cookie = cookies.map((item) => `${item.name}=${item.value}`).join("; ");
    const csrf = await page.locator('input[name="_csrf"]').first().getAttribute("value");
    const post = (origin: string) =>
      fetch(`${base}/admin/users/${target.id}/reactivate`, {
        method: "POST",
        redirect: "manual",
        headers: { "content-type": "application/x-www-form-urlencoded", cookie, origin },
        body: new URLSearchParams({ _csrf: csrf ?? "" }).toString(),
      });
    const foreign = await post("http://evil.example");
    expect(foreign.status).toBe(403);
    const still = await api("GET", `/api/v1/admin/users/${target.id}`);
    expect((still.body.data as { status: string }).status).toBe("suspended");
    const own = await post(base);
    expect(own.status).toBe(303);
    await context.close();
  }, 120_000);
});
