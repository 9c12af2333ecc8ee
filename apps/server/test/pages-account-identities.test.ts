import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { registerAndLogIn } from "./support/http.js";
import { CALLBACK, callback, envFor, federatedUser, identitiesOf, link, subject } from "./support/oauth-flow.js";
import { startOidcProvider, type TestOpenIdProvider } from "./support/oidc-provider.js";
import { sql, startTestServer, type TestServer, testDatabaseKinds, uniqueUser } from "./support/test-server.js";

const FORM = { "content-type": "application/x-www-form-urlencoded" };
type InjectReply = Awaited<ReturnType<TestServer["app"]["inject"]>>;

// The account page's linked accounts, driven by inject against the real composition: a
// passwordless user made by a real OpenID Connect sign-in (the test provider), whose page session
// is that sign-in's API session (the cookie holds its refresh secret, as after a page sign-in).
// Linking starts from a password user's page; pages-federated.test.ts clicks it in Chromium.
describe.each(testDatabaseKinds())("linked accounts on the account page (%s)", (kind) => {
  let provider: TestOpenIdProvider;
  let t: TestServer;

  beforeAll(async () => {
    provider = await startOidcProvider({ redirectUris: [CALLBACK] });
    t = await startTestServer(envFor(provider), kind);
  }, 180_000);
  afterAll(async () => {
    await t?.close();
    await provider?.close();
  });

  /** `/account` as the browser holding `secret` gets it, with the form's CSRF token and the cookie it pairs with. */
  async function accountPage(secret: string, url = "/account") {
    const page = await t.app.inject({ method: "GET", url, cookies: { gh_session: secret } });
    expect(page.statusCode, page.body).toBe(200);
    const token = /name="_csrf" value="([^"]+)"/.exec(page.body)?.[1] ?? "";
    const csrf = page.cookies.find((cookie) => cookie.name === "gh_csrf")?.value ?? "";
    return { body: page.body, token, csrf };
  }

  /** Presses the unlink button of `identityId` (with `withToken` false: the same post without the form's token). */
  async function unlink(secret: string, identityId: string, withToken = true) {
    const { token, csrf } = await accountPage(secret);
    return t.app.inject({
      method: "POST",
      url: `/account/identities/${identityId}/unlink`,
      cookies: { gh_session: secret, gh_csrf: csrf },
      headers: FORM,
      payload: new URLSearchParams(withToken ? { _csrf: token } : {}).toString(),
    });
  }

  /** Presses "Link <provider>": the hand-off page's link to the provider (a refusal: the reply). */
  async function startLink(secret: string, provider = "acme", withToken = true) {
    const { token, csrf } = await accountPage(secret);
    return t.app.inject({
      method: "POST",
      url: "/account/identities/link",
      cookies: { gh_session: secret, gh_csrf: csrf },
      headers: FORM,
      payload: new URLSearchParams({ provider, ...(withToken ? { _csrf: token } : {}) }).toString(),
    });
  }

  /**
   * The rest of the browser's round trip: the provider as `sub`, the callback, /login/federated, the
   * landing. The browser that started it brings the hand-off's binding cookie; `elsewhere` names the
   * cookies of another browser instead.
   */
  async function finishLink(secret: string, handOff: InjectReply, sub: string, elsewhere?: Record<string, string>) {
    const toProvider = /<a class="button" href="([^"]+)"/.exec(handOff.body)?.[1]?.replaceAll("&amp;", "&") ?? "";
    const binding = handOff.cookies.find((cookie) => cookie.name === "gh_link");
    expect(binding?.httpOnly).toBe(true);
    const cookies = elsewhere ?? (binding === undefined ? {} : { gh_link: binding.value });
    const back = await callback(t, await provider.signIn(toProvider, sub), undefined, cookies);
    const toPages = new URL(String(back.headers.location));
    expect(toPages.pathname).toBe("/login/federated");
    // The app state and the outcome; nothing that could be spent.
    expect([...toPages.searchParams.keys()].sort()).toEqual([
      toPages.searchParams.has("error") ? "error" : "linked",
      "state",
    ]);
    const onward = await t.app.inject({ method: "GET", url: `${toPages.pathname}${toPages.search}` });
    expect(onward.statusCode).toBe(303);
    return t.app.inject({ method: "GET", url: String(onward.headers.location), cookies: { gh_session: secret } });
  }

  it("a password user links a provider account with the Link button, and the page says so", async () => {
    const user = await registerAndLogIn(t, uniqueUser("pglink"));
    const before = await accountPage(user.refreshToken);
    expect(before.body).toContain("No linked account.");
    expect(before.body).toMatch(/name="provider" value="acme">\n<button type="submit" class="secondary">Link Acme</);

    const handOff = await startLink(user.refreshToken);
    expect(handOff.statusCode, handOff.body).toBe(200);
    expect(handOff.headers["cache-control"]).toBe("no-store");
    expect(handOff.body).toMatch(/<meta http-equiv="refresh" content="0; url=http:\/\/127\.0\.0\.1:\d+\//);
    const sub = subject();
    provider.accounts.set(sub, { email: `${sub}@example.com`, email_verified: true });
    const landed = await finishLink(user.refreshToken, handOff, sub);
    expect(landed.statusCode).toBe(303);
    expect(landed.headers.location).toBe("/account?notice=identity_linked");
    const after = await accountPage(user.refreshToken, "/account?notice=identity_linked");
    expect(after.body).toContain("The provider account was linked");
    expect(after.body).toContain(`acme · ${sub}@example.com · linked `);
    // Linked: no button for that provider any more.
    expect(after.body).not.toContain("Link Acme");
    expect((await identitiesOf(t, user.accessToken)).map((identity) => identity.provider)).toEqual(["acme"]);
  });

  // Attack: the starter sends the provider URL of their own link to a victim signed in at the
  // provider; finished in the victim's browser it linked the victim's provider account to the
  // starter, whose account the victim's next provider sign-in then opened.
  it("a link finished in a browser other than the one that started it links nothing", async () => {
    const starter = await registerAndLogIn(t, uniqueUser("pgbind"));
    const victim = subject();
    provider.accounts.set(victim, { email: `${victim}@example.com`, email_verified: true });
    // A browser with no binding, and one with a binding of its own (another link it started).
    const browsers: Record<string, string>[] = [{}, { gh_link: "a-binding-of-another-link-0123456789abcdef" }];
    for (const elsewhere of browsers) {
      const landed = await finishLink(starter.refreshToken, await startLink(starter.refreshToken), victim, elsewhere);
      expect(landed.statusCode).toBe(400);
      expect(landed.body).toContain('role="alert"');
    }
    expect(await identitiesOf(t, starter.accessToken)).toEqual([]);
    const refused = await t.query<{ details: { reason: string } }>(
      sql`SELECT details FROM audit_logs WHERE action = 'auth.oauth_failed' AND user_id = ${starter.userId}`,
    );
    expect(refused.map((row) => row.details.reason)).toEqual(["browser_mismatch", "browser_mismatch"]);
  });

  // Attack: the outcome page takes its result from the address; a crafted link naming a blocked
  // account's reason signed the victim's page out.
  it("an outcome made up in the address never ends the page session", async () => {
    const user = await registerAndLogIn(t, uniqueUser("pgforged"));
    const forged = await t.app.inject({
      method: "GET",
      url: "/account/identities/linked?error=account_suspended",
      cookies: { gh_session: user.refreshToken },
    });
    expect(forged.statusCode).toBe(400);
    expect(forged.cookies.find((cookie) => cookie.name === "gh_session")).toBeUndefined();
    expect((await accountPage(user.refreshToken)).body).toContain("Link Acme");
  });

  it("a provider account of another user is refused with the catalogue's text; nothing is linked", async () => {
    const owner = await federatedUser(t, provider);
    const user = await registerAndLogIn(t, uniqueUser("pgtaken"));
    const landed = await finishLink(user.refreshToken, await startLink(user.refreshToken), owner.subject);
    expect(landed.statusCode).toBe(409);
    expect(landed.body).toContain('role="alert"');
    expect(landed.body).toContain("That provider account is already linked to another user of this service.");
    expect(landed.body).toContain("Link Acme");
    expect(await identitiesOf(t, user.accessToken)).toEqual([]);
    expect(await identitiesOf(t, owner.accessToken)).toHaveLength(1);
  });

  it("a cancelled link, an unknown provider, a post without the token and a signed-out browser change nothing", async () => {
    const user = await registerAndLogIn(t, uniqueUser("pgnolink"));
    const handOff = await startLink(user.refreshToken);
    const toProvider = /<a class="button" href="([^"]+)"/.exec(handOff.body)?.[1]?.replaceAll("&amp;", "&") ?? "";
    const binding = { gh_link: handOff.cookies.find((cookie) => cookie.name === "gh_link")?.value ?? "" };
    const denied = await callback(t, await provider.signIn(toProvider, subject(), { deny: true }), undefined, binding);
    const toPages = new URL(String(denied.headers.location));
    const onward = await t.app.inject({ method: "GET", url: `${toPages.pathname}${toPages.search}` });
    const landed = await t.app.inject({
      method: "GET",
      url: String(onward.headers.location),
      cookies: { gh_session: user.refreshToken },
    });
    expect(landed.statusCode).toBe(400);
    expect(landed.body).toContain("cancelled or refused");

    const unknown = await startLink(user.refreshToken, "nosuch");
    expect(unknown.statusCode).toBe(404);
    expect(unknown.body).toContain("That sign-in provider is not available.");
    const tokenless = await startLink(user.refreshToken, "acme", false);
    expect(tokenless.statusCode).toBe(403);
    expect(tokenless.body).toContain("This form has expired or was not sent from this site");
    const signedOut = await t.app.inject({ method: "GET", url: "/account/identities/linked?linked=acme" });
    expect([signedOut.statusCode, signedOut.headers.location]).toEqual([303, "/login"]);
    expect(await identitiesOf(t, user.accessToken)).toEqual([]);
  });

  it("lists the identity; unlinking the only way a passwordless account signs in is refused", async () => {
    const user = await federatedUser(t, provider);
    const [only] = await identitiesOf(t, user.accessToken);
    const page = await accountPage(user.refreshToken);
    expect(page.body).toContain(`acme · ${user.subject}@example.com · linked `);
    expect(page.body).toContain(`action="/account/identities/${only?.id}/unlink"`);

    const refused = await unlink(user.refreshToken, only?.id ?? "");
    expect(refused.statusCode).toBe(409);
    expect(refused.body).toContain('role="alert"');
    expect(refused.body).toContain("The account would have no way left to sign in.");
    expect(await identitiesOf(t, user.accessToken)).toHaveLength(1);
  });

  it("with a second identity linked, one is unlinked and the page says so", async () => {
    const user = await federatedUser(t, provider);
    const second = subject();
    provider.accounts.set(second, { email: `${second}@example.com`, email_verified: true });
    expect((await link(t, provider, user, second)).searchParams.get("linked")).toBe("acme");
    const [first, kept] = await identitiesOf(t, user.accessToken);

    const unlinked = await unlink(user.refreshToken, first?.id ?? "");
    expect(unlinked.statusCode, unlinked.body).toBe(303);
    expect(unlinked.headers.location).toBe("/account?notice=identity_unlinked");
    const after = await accountPage(user.refreshToken, "/account?notice=identity_unlinked");
    expect(after.body).toContain("The linked account was unlinked.");
    expect(after.body).not.toContain(`/account/identities/${first?.id}/unlink`);
    expect(after.body).toContain(`acme · ${second}@example.com · linked `);
    expect((await identitiesOf(t, user.accessToken)).map((identity) => identity.id)).toEqual([kept?.id]);
  });

  it("another user's identity is not found, a malformed id is invalid, a post without the token is refused", async () => {
    const owner = await federatedUser(t, provider);
    const intruder = await federatedUser(t, provider);
    const [owned] = await identitiesOf(t, owner.accessToken);
    const foreign = await unlink(intruder.refreshToken, owned?.id ?? "");
    expect(foreign.statusCode).toBe(404);
    expect(foreign.body).toContain("That linked account does not exist.");
    expect((await unlink(intruder.refreshToken, "not-a-uuid")).statusCode).toBe(400);

    const second = subject();
    provider.accounts.set(second, { email: `${second}@example.com`, email_verified: true });
    expect((await link(t, provider, owner, second)).searchParams.get("linked")).toBe("acme");
    const tokenless = await unlink(owner.refreshToken, owned?.id ?? "", false);
    expect(tokenless.statusCode).toBe(403);
    expect(tokenless.body).toContain("This form has expired or was not sent from this site");
    expect(await identitiesOf(t, owner.accessToken)).toHaveLength(2);
  });
});
