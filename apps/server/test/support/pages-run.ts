import type { TestDatabaseKind } from "@gatehouse/infrastructure/testing";
import type { Browser } from "playwright-core";
import { launchBrowser } from "./browser.js";
import { postgresEnv, startPagesServer } from "./pages.js";
import type { RunningServer } from "./server-process.js";
import { TestSmtpServer } from "./smtp-server.js";

/** What a hosted-pages browser suite runs against, and the one way it is taken down again. */
export interface PagesRun {
  readonly smtp: TestSmtpServer;
  readonly server: RunningServer;
  readonly base: string;
  readonly browser: Browser;
  close(): Promise<void>;
}

/**
 * The real server process on `kind` (PostgreSQL: a fresh database, and the run's Redis when it
 * has one), a mail sink its mails go to, and Chromium; `close` stops them all and drops the
 * database, also when the start failed half-way.
 */
export async function startPagesRun(kind: TestDatabaseKind, env: Record<string, string> = {}): Promise<PagesRun> {
  const smtp = await TestSmtpServer.start();
  const postgres = kind === "postgres" ? await postgresEnv() : undefined;
  let server: RunningServer | undefined;
  let browser: Browser | undefined;
  const close = async () => {
    await browser?.close();
    server?.child.kill("SIGTERM");
    await server?.exited;
    await smtp.stop();
    await postgres?.database.drop();
  };
  try {
    server = await startPagesServer(smtp, { ...env, ...(postgres?.env ?? {}) });
    browser = await launchBrowser();
    return { smtp, server, base: server.baseUrl, browser, close };
  } catch (error) {
    await close();
    throw error;
  }
}
