import { testDatabaseKinds } from "@gatehouse/infrastructure/testing";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { browserMissing } from "./support/browser.js";
import { newPageUser, seriousAxeViolations, submit, watchCsp } from "./support/pages.js";
import { type PagesRun, startPagesRun } from "./support/pages-run.js";
import { call } from "./support/server-process.js";

const ADMIN = { email: "console-editor@example.com", password: "Lantern-Quarry-47-ivy" };

// The console's editing forms end to end (pages-admin.test.ts covers its reading pages and
// status actions): the real server process, Chromium signed in as the bootstrap super_admin,
// roles created, renamed and deleted and a user created and edited through real form posts,
// each new form and its refusal checked with axe and the CSP report.
describe.skipIf(browserMissing()).each(testDatabaseKinds())("admin console editing in a real browser (%s)", (kind) => {
  let browser: Browser;
  let base: string;
  let run: PagesRun | undefined;
  let token: string;
  const tag = `e${Date.now().toString(36)}`;

  beforeAll(async () => {
    run = await startPagesRun(kind, {
      BOOTSTRAP_ADMIN_EMAIL: ADMIN.email,
      BOOTSTRAP_ADMIN_PASSWORD: ADMIN.password,
      RATE_LIMIT_AUTH_REQUESTS: "100",
      RATE_LIMIT_ADMIN_REQUESTS: "1000",
    });
    ({ base, browser } = run);
    const login = await call(base, "POST", "/api/v1/auth/login", ADMIN);
    token = (login.body.data as { access_token: string }).access_token;
  }, 240_000);

  afterAll(async () => {
    await run?.close();
  });

  async function signedInAdmin() {
    const context = await browser.newContext();
    const csp = await watchCsp(context, true);
    const page: Page = await context.newPage();
    await page.goto(`${base}/login`);
    await submit(page, { "Email address": ADMIN.email, Password: ADMIN.password }, "Sign in");
    expect(new URL(page.url()).pathname).toBe("/account");
    const found: Record<string, string[]> = {};
    const audit = async (name: string) => {
      found[name] = [...(await seriousAxeViolations(page)), ...(await csp.violations(page))];
    };
    return { context, page, audit, found };
  }

  const roleNames = async () => {
    const roles = (await call(base, "GET", "/api/v1/admin/roles", undefined, token)).body.data as unknown;
    return (roles as Array<{ name: string }>).map((role) => role.name);
  };

  it("creates a role, renames it and deletes it after the confirmation page", async () => {
    const { context, page, audit, found } = await signedInAdmin();
    const name = `${tag}_agent`;
    const renamed = `${tag}_lead`;
    await page.goto(`${base}/admin/roles`);
    await submit(page, { "Role name": "Not Valid", "Description (optional)": "Answers tickets" }, "Create role");
    expect(await page.getByRole("alert").textContent()).toContain("Name must be 2-50 characters");
    await audit("roles refused");
    await submit(page, { "Role name": name }, "Create role");
    expect(await page.getByRole("status").textContent()).toContain("The role was created.");
    expect(await page.getByRole("heading", { name, exact: true }).count()).toBe(1);

    await page.getByRole("link", { name: `Edit or delete ${name}` }).click();
    await page.waitForLoadState("load");
    expect(await page.getByLabel("Description (optional)").inputValue()).toBe("Answers tickets");
    await audit("role edit");
    await submit(page, { "Role name": renamed }, "Save role");
    expect(await page.getByRole("status").textContent()).toContain("The role was saved.");
    expect(await page.getByRole("heading", { name: renamed, exact: true }).count()).toBe(1);
    expect(await roleNames()).toContain(renamed);
    expect(await roleNames()).not.toContain(name);

    await page.getByRole("link", { name: `Edit or delete ${renamed}` }).click();
    await page.waitForLoadState("load");
    await page.getByRole("link", { name: `Delete ${renamed}…` }).click();
    await page.waitForLoadState("load");
    expect(await page.getByRole("heading", { level: 1 }).textContent()).toBe(`Delete role ${renamed}`);
    await audit("role delete");
    await submit(page, {}, "Delete role");
    expect(await page.getByRole("status").textContent()).toContain("The role was deleted.");
    expect(await page.getByRole("heading", { name: renamed, exact: true }).count()).toBe(0);
    expect(await roleNames()).not.toContain(renamed);
    expect(found).toEqual({ "roles refused": [], "role edit": [], "role delete": [] });
    await context.close();
  }, 180_000);

  it("creates a user from /admin/users and edits their name; a taken email is shown", async () => {
    const { context, page, audit, found } = await signedInAdmin();
    const user = newPageUser(`${tag}u`);
    await page.goto(`${base}/admin/users`);
    await page.getByRole("link", { name: "New user" }).click();
    await page.waitForLoadState("load");
    await audit("user new");
    const typed = { Username: user.username, "Full name (optional)": "Ada Lovelace" };
    await submit(page, { ...typed, "Email address": ADMIN.email }, "Create user");
    expect(await page.getByRole("alert").textContent()).toContain("An account with this email address already exists.");
    expect(await page.getByLabel("Username").inputValue()).toBe(user.username);
    await audit("user new refused");
    await submit(page, { ...typed, "Email address": user.email }, "Create user");
    expect(await page.getByRole("status").textContent()).toContain("created without a password");
    const id = new URL(page.url()).pathname.split("/").pop() as string;
    await audit("user with details form");

    await submit(page, { "Full name (optional)": "Ada King" }, "Save details");
    expect(await page.getByRole("status").textContent()).toContain("The user's details were saved.");
    expect(await page.getByLabel("Full name (optional)").inputValue()).toBe("Ada King");
    const stored = await call(base, "GET", `/api/v1/admin/users/${id}`, undefined, token);
    expect(stored.body.data).toMatchObject({ username: user.username, email: user.email, full_name: "Ada King" });
    expect(found).toEqual({ "user new": [], "user new refused": [], "user with details form": [] });
    await context.close();
  }, 180_000);
});
