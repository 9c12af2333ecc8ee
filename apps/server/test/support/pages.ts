import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { createServer } from "node:net";
import { createTestDatabase, type TestDatabase } from "@gatehouse/infrastructure/testing";
import type { BrowserContext, Page } from "playwright-core";
import { expect } from "vitest";
import { call, type RunningServer, startServerProcess } from "./server-process.js";
import { codeIn, type ReceivedMail, type TestSmtpServer } from "./smtp-server.js";

const require = createRequire(import.meta.url);
const AXE_SOURCE = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");

/** A free loopback port: the mailed links need PUBLIC_BASE_URL, which must name the port beforehand. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === "string") throw new Error("no port");
  return address.port;
}

let counter = 0;

/** A user no earlier test of the run has registered. */
export function newPageUser(prefix: string) {
  counter += 1;
  const name = `${prefix}${Date.now().toString(36)}${counter}`;
  return { username: name, email: `${name}@example.com`, password: "Correct-Horse-9-battery" };
}

export type PageUser = ReturnType<typeof newPageUser>;

/** Registers `user` through the API and verifies the address with the mailed code; answers the user's id. */
export async function registerVerified(base: string, smtp: TestSmtpServer, user: PageUser): Promise<string> {
  const registered = await call(base, "POST", "/api/v1/auth/register", user);
  expect(registered.status).toBe(201);
  const code = codeIn(await smtp.waitForMail(user.email));
  expect((await call(base, "POST", "/api/v1/register/verify", { email: user.email, code })).status).toBe(200);
  return (registered.body.data as { id: string }).id;
}

/** PostgreSQL: a fresh database for the server process, and Redis when the run has one. */
export async function postgresEnv(): Promise<{ database: TestDatabase; env: Record<string, string> }> {
  const database = await createTestDatabase("postgres", { maxConnections: 1 });
  const redis = process.env.REDIS_URL ?? process.env.TEST_REDIS_URL;
  const env: Record<string, string> = { DATABASE_URL: database.url as string };
  if (redis !== undefined)
    Object.assign(env, { REDIS_URL: redis, REDIS_KEY_PREFIX: `gh-pages-${randomUUID().slice(0, 8)}:` });
  return { database, env };
}

/** The real server process on a known port, mailing through `smtp`, links pointing at itself. */
export async function startPagesServer(smtp: TestSmtpServer, env: Record<string, string> = {}): Promise<RunningServer> {
  const port = await freePort();
  return startServerProcess({
    APP_PORT: String(port),
    PUBLIC_BASE_URL: `http://127.0.0.1:${port}`,
    SMTP_URL: smtp.url,
    MAIL_POLL_INTERVAL_MS: "20",
    REQUIRE_EMAIL_VERIFICATION: "true",
    ...env,
  });
}

/** The link a code mail carries to `path` (its `?token=` included). */
export function linkIn(mail: ReceivedMail, path: string): string {
  const match = new RegExp(`https?://[^\\s"<>]+${path}\\?token=[A-Za-z0-9_%.-]+`).exec(mail.text);
  if (!match) throw new Error(`no ${path} link in mail: ${mail.text}`);
  return match[0];
}

/**
 * Records every CSP violation of the context's pages: the listener is installed by the browser
 * before any page script (an init script is not subject to the page's CSP), and the console's
 * "Refused to …" lines are kept as well.
 */
export async function watchCsp(
  context: BrowserContext,
  javaScript = true,
): Promise<{ violations: (page: Page) => Promise<string[]> }> {
  const console: string[] = [];
  // A string: the test's TypeScript has no DOM types, the browser runs it as is.
  await context.addInitScript(`(() => {
    const seen = [];
    Object.defineProperty(window, "__cspViolations", { value: seen });
    document.addEventListener("securitypolicyviolation", (event) => {
      seen.push(event.violatedDirective + " " + event.blockedURI);
    });
  })();`);
  context.on("console", (message) => {
    if (/Content Security Policy|Refused to/i.test(message.text())) console.push(message.text());
  });
  return {
    violations: async (page) => [
      ...console,
      ...(javaScript ? await page.evaluate<string[]>("window.__cspViolations ?? []") : []),
    ],
  };
}

interface AxeResult {
  readonly violations: ReadonlyArray<{ id: string; impact: string | null; nodes: ReadonlyArray<{ target: unknown }> }>;
}

/** axe-core's serious and critical violations on the page as it is now. */
export async function seriousAxeViolations(page: Page): Promise<string[]> {
  await page.evaluate(AXE_SOURCE);
  const result = await page.evaluate<AxeResult>("axe.run(document)");
  return result.violations
    .filter((violation) => violation.impact === "serious" || violation.impact === "critical")
    .map(
      (violation) => `${violation.id} (${violation.impact}): ${JSON.stringify(violation.nodes.map((n) => n.target))}`,
    );
}

/** Fills and submits a form by its labels, then waits for the answer page. */
export async function submit(page: Page, fields: Record<string, string>, button: string): Promise<void> {
  for (const [label, value] of Object.entries(fields)) await page.getByLabel(label, { exact: true }).fill(value);
  // The click waits for the navigation it starts to commit; then the new page loads.
  await page.getByRole("button", { name: button, exact: true }).click();
  await page.waitForLoadState("load");
}

export function expectNoViolations(violations: readonly string[]): void {
  expect(violations).toEqual([]);
}
