import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { createServer } from "node:net";
import type { BrowserContext, Page } from "playwright-core";
import { expect } from "vitest";
import { type RunningServer, startServerProcess } from "./server-process.js";
import type { ReceivedMail, TestSmtpServer } from "./smtp-server.js";

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
