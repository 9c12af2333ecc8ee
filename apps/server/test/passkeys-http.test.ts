import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { errorCode, get, logIn, post, registerAndLogIn, send, sendWith } from "./support/http.js";
import { claimsOf, MFA_TEST_ENV, mfaFlows } from "./support/mfa.js";
import { SoftAuthenticator } from "./support/soft-authenticator.js";
import { startTestServer, type TestServer, testDatabaseKinds, uniqueUser } from "./support/test-server.js";

type Json = Record<string, unknown>;

describe.each(testDatabaseKinds())("passkeys over HTTP on %s (software authenticator, real verification)", (kind) => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer(MFA_TEST_ENV, kind);
  });
  afterAll(async () => {
    await t.close();
  });
  const { challenge, registerPasskey, verifyWithPasskey, passkeyChallenge } = mfaFlows(() => t);

  /** A user with one registered passkey, and the aal1 session that registered it. */
  async function withPasskey(options: { backupEligible?: boolean } = {}) {
    const user = uniqueUser("pk");
    const session = await registerAndLogIn(t, user);
    const authenticator = new SoftAuthenticator(options);
    const registered = await registerPasskey(authenticator, session.accessToken);
    return { user, session, authenticator, registered };
  }

  const passwordless = (assertion: Json) => post(t, "/api/v1/auth/passkey/login", { assertion });
  /** As the client that got the mfa_token (the same user agent as `challenge`). */
  const postAsClient = (url: string, payload: Json) =>
    sendWith(t, "POST", url, { payload, headers: { "user-agent": "mfa-test" } });

  it("registers a passkey as a confirmed webauthn factor with a first set of recovery codes", async () => {
    const { session, registered } = await withPasskey();
    expect(registered.recovery_codes).toHaveLength(10);
    const factors = await get(t, "/api/v1/users/me/mfa", session.accessToken);
    const items = (factors.body.data as { items: Json[] }).items;
    expect(items.map((f) => f.type).sort()).toEqual(["recovery_codes", "webauthn"]);
  });

  it("excludes registered credentials and needs aal2 to add one to a guarded account", async () => {
    const { user, session, authenticator } = await withPasskey();
    // The enrolling session predates the factor: aal1, so it may not add a second one.
    const again = await post(t, "/api/v1/users/me/mfa/webauthn/options", undefined, session.accessToken);
    expect(again.status).toBe(401);
    expect(errorCode(again.body)).toBe("INSUFFICIENT_USER_AUTHENTICATION");
    const held = await challenge(user);
    const strong = (await verifyWithPasskey(authenticator, held.mfa_token as string)).body.data as Json;
    const options = await post(t, "/api/v1/users/me/mfa/webauthn/options", undefined, strong.access_token as string);
    expect(options.status).toBe(200);
    const excluded = (options.body.data as { excludeCredentials: Json[] }).excludeCredentials;
    expect(excluded.map((c) => c.id)).toEqual([authenticator.id]);
    // The same authenticator credential again: refused as registered.
    const credential = authenticator.create(options.body.data as Json);
    const twice = await post(t, "/api/v1/users/me/mfa/webauthn/verify", { credential }, strong.access_token as string);
    expect(errorCode(twice.body)).toBe("WEBAUTHN_CREDENTIAL_EXISTS");
  });

  it("refuses a registration with a reused, unknown or foreign-origin challenge", async () => {
    const session = await registerAndLogIn(t, uniqueUser("pk"));
    const authenticator = new SoftAuthenticator();
    const verifyPath = "/api/v1/users/me/mfa/webauthn/verify";
    const options = (await post(t, "/api/v1/users/me/mfa/webauthn/options", undefined, session.accessToken)).body
      .data as Json;
    const wrongOrigin = authenticator.create(options, { origin: "http://evil.localhost:8080" });
    const refused = await post(t, verifyPath, { credential: wrongOrigin }, session.accessToken);
    expect([refused.status, errorCode(refused.body)]).toEqual([400, "WEBAUTHN_VERIFICATION_FAILED"]);
    // The refused attempt spent the challenge: the honest response over it is refused now.
    const reused = await post(t, verifyPath, { credential: authenticator.create(options) }, session.accessToken);
    expect([reused.status, errorCode(reused.body)]).toEqual([400, "WEBAUTHN_CHALLENGE_INVALID"]);
    const made = authenticator.create({ ...options, challenge: Buffer.from("made up").toString("base64url") });
    const unknown = await post(t, verifyPath, { credential: made }, session.accessToken);
    expect(errorCode(unknown.body)).toBe("WEBAUTHN_CHALLENGE_INVALID");
    const factors = await get(t, "/api/v1/users/me/mfa", session.accessToken);
    expect((factors.body.data as { items: Json[] }).items).toEqual([]);
  });

  it("completes a password login with a passkey as second factor: aal2, amr pwd+hwk+mfa", async () => {
    const { user, authenticator } = await withPasskey();
    const held = await challenge(user);
    expect(held.factors).toEqual(expect.arrayContaining(["webauthn", "recovery_code"]));
    const done = await verifyWithPasskey(authenticator, held.mfa_token as string);
    expect(done.status).toBe(200);
    const claims = claimsOf((done.body.data as { access_token: string }).access_token);
    expect(claims.acr).toBe("aal2");
    expect(claims.amr).toEqual(["pwd", "hwk", "mfa"]);
  });

  it("refuses a second-factor assertion over another login's challenge, and an unknown credential", async () => {
    const { user, authenticator } = await withPasskey();
    const first = await challenge(user);
    const options = await postAsClient("/api/v1/auth/mfa/webauthn/options", { mfa_token: first.mfa_token });
    const challengeOfFirst = (options.body.data as { challenge: string }).challenge;
    const second = await challenge(user);
    const crossed = await postAsClient("/api/v1/auth/mfa/verify", {
      mfa_token: second.mfa_token,
      method: "webauthn",
      assertion: authenticator.get(challengeOfFirst),
    });
    expect([crossed.status, errorCode(crossed.body)]).toEqual([400, "MFA_CODE_INVALID"]);
    const third = await challenge(user);
    const thirdOptions = await postAsClient("/api/v1/auth/mfa/webauthn/options", { mfa_token: third.mfa_token });
    const stranger = new SoftAuthenticator();
    const unknown = await postAsClient("/api/v1/auth/mfa/verify", {
      mfa_token: third.mfa_token,
      method: "webauthn",
      assertion: stranger.get((thirdOptions.body.data as { challenge: string }).challenge),
    });
    expect([unknown.status, errorCode(unknown.body)]).toEqual([400, "MFA_CODE_INVALID"]);
  });

  it("signs in passwordless at aal2 with amr [hwk, user], or [swk, user] for a synced passkey", async () => {
    const bound = await withPasskey();
    const done = await passwordless(bound.authenticator.get(await passkeyChallenge()));
    expect(done.status).toBe(200);
    const claims = claimsOf((done.body.data as { access_token: string }).access_token);
    expect([claims.acr, claims.amr, claims.sub]).toEqual(["aal2", ["hwk", "user"], bound.session.userId]);
    const synced = await withPasskey({ backupEligible: true });
    const syncedDone = await passwordless(synced.authenticator.get(await passkeyChallenge()));
    expect(claimsOf((syncedDone.body.data as { access_token: string }).access_token).amr).toEqual(["swk", "user"]);
  });

  it("refuses reused, unknown and expired passwordless challenges with stable codes", async () => {
    const { authenticator } = await withPasskey();
    const challengeValue = await passkeyChallenge();
    expect((await passwordless(authenticator.get(challengeValue))).status).toBe(200);
    const reused = await passwordless(authenticator.get(challengeValue));
    expect([reused.status, errorCode(reused.body)]).toEqual([400, "WEBAUTHN_CHALLENGE_INVALID"]);
    const unknown = await passwordless(authenticator.get(Buffer.from("never issued").toString("base64url")));
    expect(errorCode(unknown.body)).toBe("WEBAUTHN_CHALLENGE_INVALID");
    const late = await passkeyChallenge();
    t.clock.advance(301);
    const expired = await passwordless(authenticator.get(late));
    expect([expired.status, errorCode(expired.body)]).toEqual([400, "WEBAUTHN_CHALLENGE_INVALID"]);
  });

  it("answers one PASSKEY_LOGIN_FAILED for an unknown credential, no user verification and a counter regression", async () => {
    const { authenticator } = await withPasskey();
    const stranger = new SoftAuthenticator();
    const unknown = await passwordless(stranger.get(await passkeyChallenge()));
    const unverified = await passwordless(authenticator.get(await passkeyChallenge(), { userVerified: false }));
    expect((await passwordless(authenticator.get(await passkeyChallenge()))).status).toBe(200);
    expect((await passwordless(authenticator.get(await passkeyChallenge()))).status).toBe(200);
    authenticator.counter = 0; // a clone of the authenticator from before those two sign-ins
    const regressed = await passwordless(authenticator.get(await passkeyChallenge()));
    const replayedCount = await passwordless(authenticator.get(await passkeyChallenge(), { keepCounter: true }));
    for (const refused of [unknown, unverified, regressed, replayedCount]) {
      expect([refused.status, errorCode(refused.body), refused.body.error]).toEqual([
        401,
        "PASSKEY_LOGIN_FAILED",
        expect.objectContaining({ message: "Passkey sign-in failed" }),
      ]);
    }
  });

  it("removing the passkey (aal2) ends the second step and passwordless sign-in with it", async () => {
    const { user, authenticator, registered } = await withPasskey();
    const held = await challenge(user);
    const strong = (await verifyWithPasskey(authenticator, held.mfa_token as string)).body.data as Json;
    const removed = await send(
      t,
      "DELETE",
      `/api/v1/users/me/mfa/${registered.factor_id}`,
      undefined,
      strong.access_token as string,
    );
    expect(removed.status).toBe(200);
    expect((await logIn(t, user)).accessToken).toEqual(expect.any(String));
    const gone = await passwordless(authenticator.get(await passkeyChallenge()));
    expect(errorCode(gone.body)).toBe("PASSKEY_LOGIN_FAILED");
  });
});
