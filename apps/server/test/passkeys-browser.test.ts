import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Browser, BrowserContext, CDPSession, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { browserMissing, launchBrowser, VIRTUAL_AUTHENTICATOR } from "./support/browser.js";
import { claimsOf } from "./support/mfa.js";
import { freePort } from "./support/pages.js";
import { call, type RunningServer, startServerProcess } from "./support/server-process.js";

type Json = Record<string, unknown>;

// Passkeys in a real Chromium (Debian's, through playwright-core) with a CDP virtual
// authenticator (CTAP2, internal, resident keys, user verification), against the built server
// process on http://localhost. The browser makes every credential and assertion itself; the
// test only carries JSON between the page and the API, as a web app's script would.
describe.skipIf(browserMissing())("passkeys in a real browser against the real process", () => {
  let browser: Browser;
  let server: RunningServer;
  let base = "";
  let foreign: Server;
  let foreignBase = "";
  let context: BrowserContext;
  let page: Page;
  let cdp: CDPSession;
  let authenticatorId = "";
  const user = { username: `pkweb${Date.now().toString(36)}`, password: "Correct-Horse-9-battery", email: "" };
  user.email = `${user.username}@example.com`;

  beforeAll(async () => {
    const port = await freePort();
    base = `http://localhost:${port}`;
    server = await startServerProcess({
      APP_PORT: String(port),
      PUBLIC_BASE_URL: base,
      REQUIRE_EMAIL_VERIFICATION: "false",
      PASSKEY_LOGIN: "true",
      // Defaults follow PUBLIC_BASE_URL: RP id localhost, the one origin http://localhost:<port>.
    });
    // Another origin on the same RP id: a browser there can use the passkey, the server must not accept it.
    foreign = createServer((_request, response) => {
      response.writeHead(200, { "content-type": "text/html" });
      response.end("<!doctype html><title>elsewhere</title>");
    });
    await new Promise<void>((resolve) => foreign.listen(0, "127.0.0.1", resolve));
    foreignBase = `http://localhost:${(foreign.address() as AddressInfo).port}`;
    browser = await launchBrowser();
    context = await browser.newContext();
    page = await context.newPage();
    cdp = await context.newCDPSession(page);
    await cdp.send("WebAuthn.enable");
    const added = await cdp.send("WebAuthn.addVirtualAuthenticator", VIRTUAL_AUTHENTICATOR);
    authenticatorId = added.authenticatorId;
    // The page is served by the server on http://localhost (RP id localhost); API calls go to
    // the address it listens on.
    await page.goto(`${base}/login`);
    expect((await call(server.baseUrl, "POST", "/api/v1/auth/register", user)).status).toBe(201);
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    server?.child.kill("SIGTERM");
    await server?.exited;
    await new Promise((resolve) => foreign?.close(resolve));
  });

  // Strings: the test's TypeScript has no DOM types; the browser runs them as they are.
  const create = (options: Json): Promise<Json> =>
    page.evaluate(
      `(async (json) => (await navigator.credentials.create({ publicKey: PublicKeyCredential.parseCreationOptionsFromJSON(json) })).toJSON())(${JSON.stringify(options)})`,
    );
  const assert = (on: Page, options: Json): Promise<Json> =>
    on.evaluate(
      `(async (json) => (await navigator.credentials.get({ publicKey: PublicKeyCredential.parseRequestOptionsFromJSON(json) })).toJSON())(${JSON.stringify(options)})`,
    );
  const passwordlessOptions = async () => {
    const options = await call(server.baseUrl, "POST", "/api/v1/auth/passkey/options");
    expect(options.status).toBe(200);
    return options.body.data as Json;
  };
  const logInWith = (assertion: Json) => call(server.baseUrl, "POST", "/api/v1/auth/passkey/login", { assertion });

  it("registers a passkey made by the browser", async () => {
    const login = await call(server.baseUrl, "POST", "/api/v1/auth/login", {
      email: user.email,
      password: user.password,
    });
    const token = (login.body.data as { access_token: string }).access_token;
    const options = await call(server.baseUrl, "POST", "/api/v1/users/me/mfa/webauthn/options", undefined, token);
    expect(options.status).toBe(200);
    const credential = await create(options.body.data as Json);
    const done = await call(
      server.baseUrl,
      "POST",
      "/api/v1/users/me/mfa/webauthn/verify",
      { credential, name: "Chromium" },
      token,
    );
    expect(done.status).toBe(200);
    const stored = await cdp.send("WebAuthn.getCredentials", { authenticatorId });
    expect(stored.credentials).toHaveLength(1);
    expect(stored.credentials[0]?.isResidentCredential).toBe(true);
  }, 60_000);

  it("signs in with the password and the passkey as second factor: aal2, amr with hwk", async () => {
    const login = await call(server.baseUrl, "POST", "/api/v1/auth/login", {
      email: user.email,
      password: user.password,
    });
    const held = login.body.data as { mfa_required: boolean; mfa_token: string; factors: string[] };
    expect(held.mfa_required).toBe(true);
    expect(held.factors).toContain("webauthn");
    const options = await call(server.baseUrl, "POST", "/api/v1/auth/mfa/webauthn/options", {
      mfa_token: held.mfa_token,
    });
    expect(options.status).toBe(200);
    const assertion = await assert(page, options.body.data as Json);
    const done = await call(server.baseUrl, "POST", "/api/v1/auth/mfa/verify", {
      mfa_token: held.mfa_token,
      method: "webauthn",
      assertion,
    });
    expect(done.status).toBe(200);
    const claims = claimsOf((done.body.data as { access_token: string }).access_token);
    expect(claims.acr).toBe("aal2");
    expect(claims.amr).toEqual(["pwd", "hwk", "mfa"]);
  }, 60_000);

  it("signs in passwordless with the discoverable passkey, and refuses its assertion a second time", async () => {
    const assertion = await assert(page, await passwordlessOptions());
    const done = await logInWith(assertion);
    expect(done.status).toBe(200);
    const claims = claimsOf((done.body.data as { access_token: string }).access_token);
    expect([claims.acr, claims.amr]).toEqual(["aal2", ["hwk", "user"]]);
    const replayed = await logInWith(assertion);
    expect([replayed.status, replayed.body.error?.code]).toEqual([400, "WEBAUTHN_CHALLENGE_INVALID"]);
  }, 60_000);

  it("refuses an assertion the browser made on another origin", async () => {
    const elsewhere = await context.newPage();
    await elsewhere.goto(foreignBase);
    const foreignCdp = await context.newCDPSession(elsewhere);
    await foreignCdp.send("WebAuthn.enable");
    const { authenticatorId: otherId } = await foreignCdp.send(
      "WebAuthn.addVirtualAuthenticator",
      VIRTUAL_AUTHENTICATOR,
    );
    // The same credential (same key, same RP id), held by the foreign page's authenticator.
    const [credential] = (await cdp.send("WebAuthn.getCredentials", { authenticatorId })).credentials;
    if (credential === undefined) throw new Error("no credential to copy");
    await foreignCdp.send("WebAuthn.addCredential", { authenticatorId: otherId, credential });
    const assertion = await assert(elsewhere, await passwordlessOptions());
    const origin = JSON.parse(
      Buffer.from((assertion.response as { clientDataJSON: string }).clientDataJSON, "base64url").toString(),
    ).origin;
    expect(origin).toBe(foreignBase);
    const refused = await logInWith(assertion);
    expect([refused.status, refused.body.error?.code]).toEqual([401, "PASSKEY_LOGIN_FAILED"]);
    await elsewhere.close();
  }, 60_000);

  it("refuses an authenticator whose signature counter went back (a clone)", async () => {
    expect((await logInWith(await assert(page, await passwordlessOptions()))).status).toBe(200);
    const [credential] = (await cdp.send("WebAuthn.getCredentials", { authenticatorId })).credentials;
    if (credential === undefined) throw new Error("no credential");
    expect(credential.signCount).toBeGreaterThan(1);
    // Put the same key back with an older count, as a copy taken earlier would have.
    await cdp.send("WebAuthn.removeCredential", { authenticatorId, credentialId: credential.credentialId });
    await cdp.send("WebAuthn.addCredential", { authenticatorId, credential: { ...credential, signCount: 0 } });
    const regressed = await logInWith(await assert(page, await passwordlessOptions()));
    expect([regressed.status, regressed.body.error?.code]).toEqual([401, "PASSKEY_LOGIN_FAILED"]);
  }, 60_000);
});
