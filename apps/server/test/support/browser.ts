import { existsSync } from "node:fs";
import { type Browser, chromium } from "playwright-core";

/**
 * Debian's Chromium, driven by playwright-core (never a downloaded browser). `.ci/run` installs the
 * `chromium` package when it is missing; `CHROMIUM_PATH` points elsewhere on a developer machine.
 */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

/**
 * Why the browser suites cannot run here, or `undefined` when they can. Suites call
 * `describe.skipIf(browserMissing())`; in CI a missing browser is a failure, not a skip, so a
 * broken install never turns into green runs that tested nothing.
 */
export function browserMissing(): string | undefined {
  if (existsSync(CHROMIUM_PATH)) return undefined;
  const reason = `browser tests skipped: no Chromium at ${CHROMIUM_PATH} (apt-get install chromium, or set CHROMIUM_PATH)`;
  if (process.env.CI === "true") throw new Error(`${reason}; CI must run them`);
  console.warn(reason);
  return reason;
}

/**
 * The flags the machine needs: without the background-networking ones Chromium keeps dialling
 * Google's hosts, which this closed network refuses, many at a time.
 */
const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--disable-background-networking",
  "--no-first-run",
  "--disable-component-update",
  "--disable-sync",
];

/**
 * Starts one Chromium (playwright gives it a new empty profile in a temp folder); open a
 * `browser.newContext()` per test for its own cookies and storage, `close()` in `afterAll`.
 */
export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS });
}

/**
 * For CDP's `WebAuthn.addVirtualAuthenticator`: a platform authenticator (CTAP2, internal) with
 * resident keys that verifies its user and answers without a touch.
 */
export const VIRTUAL_AUTHENTICATOR = {
  options: {
    protocol: "ctap2",
    transport: "internal",
    hasResidentKey: true,
    hasUserVerification: true,
    isUserVerified: true,
    automaticPresenceSimulation: true,
  },
} as const;
