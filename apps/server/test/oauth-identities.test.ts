import { randomUUID } from "node:crypto";
import { createServer } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { errorCode, registerAndLogIn, type Session, send } from "./support/http.js";
import {
  APP,
  CALLBACK,
  envFor,
  exchange,
  federatedUser,
  finish,
  IDENTITIES,
  type IdentityView,
  identitiesOf,
  LINK,
  link,
  linkQuery,
  PUBLIC,
  signIn,
  start,
  subject,
} from "./support/oauth-flow.js";
import { startOidcProvider, type TestOpenIdProvider } from "./support/oidc-provider.js";
import { BOOTSTRAP_ENV, logInRoot, must, roleWith, userWithRoles } from "./support/rbac.js";
import { sql, startTestServer, type TestServer, testDatabaseKinds, uniqueUser } from "./support/test-server.js";

async function auditActions(t: TestServer, resourceId: string, action: string) {
  return t.query<{ user_id: string | null; details: Record<string, unknown> }>(
    sql`SELECT user_id, details FROM audit_logs WHERE resource_id = ${resourceId} AND action = ${action} ORDER BY timestamp`,
  );
}

describe.each(testDatabaseKinds())("managing linked identities on %s", (kind) => {
  let provider: TestOpenIdProvider;
  let t: TestServer;
  let root: Session;

  beforeAll(async () => {
    provider = await startOidcProvider({ redirectUris: [CALLBACK] });
    t = await startTestServer(envFor(provider, BOOTSTRAP_ENV), kind);
    root = await logInRoot(t);
  }, 180_000);
  afterAll(async () => {
    await t?.close();
    await provider?.close();
  });

  it("documents every identity route in the OpenAPI document", async () => {
    const document = (await t.app.inject({ method: "GET", url: "/openapi.json" })).json() as {
      paths: Record<string, Record<string, { operationId?: string; security?: unknown; responses: object }>>;
      components: { schemas: Record<string, object> };
    };
    const operation = (path: string, method: string) => document.paths[path]?.[method];
    const expected = [
      [IDENTITIES, "get", "listMyIdentities", ["200", "401"]],
      [`${IDENTITIES}/{provider}/link`, "get", "linkMyIdentity", ["302", "400", "401", "404", "503"]],
      [`${IDENTITIES}/{id}`, "delete", "unlinkMyIdentity", ["200", "404", "409"]],
      ["/api/v1/admin/users/{id}/identities/{identity_id}", "delete", "adminUnlinkUserIdentity", ["200", "403", "409"]],
    ] as const;
    for (const [path, method, operationId, statuses] of expected) {
      expect(operation(path, method)?.operationId, path).toBe(operationId);
      expect(operation(path, method)?.security, path).toEqual([{ bearerAuth: [] }]);
      expect(Object.keys(operation(path, method)?.responses ?? {}), path).toEqual(
        expect.arrayContaining([...statuses]),
      );
    }
    // The admin view of a user is the named component that carries the identities.
    expect(JSON.stringify(operation("/api/v1/admin/users/{id}", "get")?.responses)).toContain(
      "#/components/schemas/AdminUserWithIdentities",
    );
    expect(JSON.stringify(document.components.schemas.AdminUserWithIdentities)).toContain('"identities"');
  });

  it("lists the user's identities, and refuses to unlink the last sign-in method of a passwordless account", async () => {
    const user = await federatedUser(t, provider);
    const [identity, ...rest] = await identitiesOf(t, user.accessToken);
    expect(rest).toEqual([]);
    expect(identity).toMatchObject({ provider: "acme", subject: user.subject, email: `${user.subject}@example.com` });
    expect(Date.parse(identity?.linked_at ?? "")).not.toBeNaN();
    expect(identity?.last_used_at).not.toBeNull();

    const refused = await send(t, "DELETE", `${IDENTITIES}/${identity?.id}`, undefined, user.accessToken);
    expect(refused.status).toBe(409);
    expect(errorCode(refused.body)).toBe("LAST_SIGN_IN_METHOD");
    expect(await identitiesOf(t, user.accessToken)).toHaveLength(1);
    expect(await auditActions(t, user.userId, "auth.identity_unlink")).toEqual([]);
  });

  it("links a provider account to the signed-in user, who can then unlink it (a password remains)", async () => {
    const session = await registerAndLogIn(t, uniqueUser("linker"));
    const sub = subject();
    provider.accounts.set(sub, { email: `${sub}@elsewhere.example`, email_verified: false });
    const authorize = new URL(await start(t, linkQuery, { path: LINK, token: session.accessToken }));
    expect(authorize.origin).toBe(provider.issuer);
    const app = await finish(t, provider, authorize.href, sub);
    expect(`${app.origin}${app.pathname}`).toBe(APP);
    expect(app.searchParams.get("linked")).toBe("acme");
    expect(app.searchParams.get("state")).toBe("link-state");
    expect(app.searchParams.get("code")).toBeNull();
    const [linked] = await identitiesOf(t, session.accessToken);
    expect(linked).toMatchObject({ provider: "acme", subject: sub });
    expect((await auditActions(t, session.userId, "auth.identity_link"))[0]?.details).toMatchObject({
      provider: "acme",
      by: "signed_in_user",
    });

    // The linked account now signs in to this user, although the addresses differ.
    const tokens = await exchange(t, (await signIn(t, provider, sub)).searchParams.get("code") as string);
    expect((tokens.body.data as { user: { id: string } }).user.id).toBe(session.userId);

    const removed = await send(t, "DELETE", `${IDENTITIES}/${linked?.id}`, undefined, session.accessToken);
    expect(removed.status, JSON.stringify(removed.body)).toBe(200);
    expect(await identitiesOf(t, session.accessToken)).toEqual([]);
    const [unlinkRow] = await auditActions(t, session.userId, "auth.identity_unlink");
    expect(unlinkRow).toMatchObject({ user_id: session.userId, details: { provider: "acme", by: "self" } });
  });

  it("account takeover by linking: an identity that belongs to someone else is refused (409 semantics, back to the app)", async () => {
    const owner = await federatedUser(t, provider);
    const intruder = await registerAndLogIn(t, uniqueUser("intruder"));
    const app = await link(t, provider, intruder, owner.subject);
    expect(app.searchParams.get("error")).toBe("identity_already_linked");
    expect(app.searchParams.get("linked")).toBeNull();
    expect(await identitiesOf(t, intruder.accessToken)).toEqual([]);
    const [kept] = await identitiesOf(t, owner.accessToken);
    expect(kept?.subject).toBe(owner.subject);
    const failures = await t.query<{ details: { reason: string } }>(
      sql`SELECT details FROM audit_logs WHERE action = 'auth.oauth_failed' AND user_id = ${intruder.userId}`,
    );
    expect(failures.map((f) => f.details.reason)).toEqual(["identity_already_linked"]);
  });

  it("enumeration: another user's identity id answers 404 like an id that does not exist", async () => {
    const owner = await federatedUser(t, provider);
    const [identity] = await identitiesOf(t, owner.accessToken);
    const other = await registerAndLogIn(t, uniqueUser("prober"));
    const theirs = await send(t, "DELETE", `${IDENTITIES}/${identity?.id}`, undefined, other.accessToken);
    const nobody = await send(t, "DELETE", `${IDENTITIES}/${randomUUID()}`, undefined, other.accessToken);
    expect([theirs.status, nobody.status]).toEqual([404, 404]);
    expect(theirs.body).toMatchObject({ success: false, error: { code: "IDENTITY_NOT_FOUND" } });
    expect(nobody.body.error).toMatchObject({ code: "IDENTITY_NOT_FOUND", message: "Linked identity not found" });
    expect(await identitiesOf(t, owner.accessToken)).toHaveLength(1);
  });

  it("needs the bearer token to start a link, and checks the redirect_uri before the provider", async () => {
    const anonymous = await t.app.inject({ method: "GET", url: `${LINK}?${linkQuery}` });
    expect(anonymous.statusCode).toBe(401);
    expect(anonymous.headers.location).toBeUndefined();
    const session = await registerAndLogIn(t, uniqueUser("redirector"));
    const off = await send(
      t,
      "GET",
      `${LINK}?redirect_uri=${encodeURIComponent("https://evil.test/")}`,
      undefined,
      session.accessToken,
    );
    expect(off.status).toBe(400);
    expect(errorCode(off.body)).toBe("OAUTH_REDIRECT_URI_NOT_ALLOWED");
  });

  it("refuses to link into an account suspended while the user was at the provider", async () => {
    const session = await registerAndLogIn(t, uniqueUser("suspendee"));
    const sub = subject();
    provider.accounts.set(sub, { email: `${sub}@example.com`, email_verified: true });
    const authorize = await start(t, linkQuery, { path: LINK, token: session.accessToken });
    await t.query(sql`UPDATE users SET status = 'suspended' WHERE id = ${session.userId}`);
    const app = await finish(t, provider, authorize, sub);
    expect(app.searchParams.get("error")).toBe("account_suspended");
    const rows = await t.query<{ id: string }>(sql`SELECT id FROM federated_identities WHERE subject = ${sub}`);
    expect(rows).toEqual([]);
  });

  it("shows identities in the admin user view and lets an administrator unlink them, under the privilege guard", async () => {
    const federated = await federatedUser(t, provider);
    const view = await must<{ id: string; identities: IdentityView[] }>(
      send(t, "GET", `/api/v1/admin/users/${federated.userId}`, undefined, root.accessToken),
    );
    const [identity] = view.identities;
    expect(identity).toMatchObject({ provider: "acme", subject: federated.subject });
    const path = `/api/v1/admin/users/${federated.userId}/identities/${identity?.id}`;
    const last = await send(t, "DELETE", path, undefined, root.accessToken);
    expect(last.status).toBe(409);
    expect(errorCode(last.body)).toBe("LAST_SIGN_IN_METHOD");

    // With a password, the identity can go; the audit row names the administrator.
    const withPassword = await registerAndLogIn(t, uniqueUser("adminview"));
    const sub = subject();
    provider.accounts.set(sub, { email: `${sub}@example.com`, email_verified: false });
    expect((await link(t, provider, withPassword, sub)).searchParams.get("linked")).toBe("acme");
    const [linked] = await identitiesOf(t, withPassword.accessToken);
    const wrongUser = await send(
      t,
      "DELETE",
      `/api/v1/admin/users/${federated.userId}/identities/${linked?.id}`,
      undefined,
      root.accessToken,
    );
    expect(wrongUser.status).toBe(404);
    expect(errorCode(wrongUser.body)).toBe("IDENTITY_NOT_FOUND");
    const removed = await send(
      t,
      "DELETE",
      `/api/v1/admin/users/${withPassword.userId}/identities/${linked?.id}`,
      undefined,
      root.accessToken,
    );
    expect(removed.status, JSON.stringify(removed.body)).toBe(200);
    expect(await identitiesOf(t, withPassword.accessToken)).toEqual([]);
    const [row] = await auditActions(t, withPassword.userId, "auth.identity_unlink");
    expect(row).toMatchObject({ user_id: root.userId, details: { by: "admin", provider: "acme" } });
  });

  it("privilege escalation: an administrator cannot unlink identities of a user who holds more than they do", async () => {
    const userAdmin = await userWithRoles(t, root, [await roleWith(t, root, ["users:read", "users:write"])]);
    const roleManager = await userWithRoles(t, root, [await roleWith(t, root, ["roles:write"])]);
    const sub = subject();
    provider.accounts.set(sub, { email: `${sub}@example.com`, email_verified: false });
    expect((await link(t, provider, roleManager, sub)).searchParams.get("linked")).toBe("acme");
    const [identity] = await identitiesOf(t, roleManager.accessToken);
    const path = (userId: string, identityId: string) => `/api/v1/admin/users/${userId}/identities/${identityId}`;
    const escalated = await send(
      t,
      "DELETE",
      path(roleManager.userId, identity?.id ?? ""),
      undefined,
      userAdmin.accessToken,
    );
    expect(escalated.status).toBe(403);
    expect(errorCode(escalated.body)).toBe("PRIVILEGE_ESCALATION");
    const onRoot = await send(t, "DELETE", path(root.userId, randomUUID()), undefined, userAdmin.accessToken);
    expect(errorCode(onRoot.body)).toBe("SUPER_ADMIN_REQUIRED");
    expect(await identitiesOf(t, roleManager.accessToken)).toHaveLength(1);
    // A plain user has no users:write at all.
    const plain = await registerAndLogIn(t, uniqueUser("plain"));
    const denied = await send(t, "DELETE", path(roleManager.userId, identity?.id ?? ""), undefined, plain.accessToken);
    expect(denied.status).toBe(403);
    expect(errorCode(denied.body)).toBe("INSUFFICIENT_PERMISSIONS");
  });
});

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

// Each case starts its own server: more than the default 30 s on a busy machine.
describe("redirect_uri by origin, and a provider whose discovery fails", { timeout: 90_000 }, () => {
  it("accepts any URL of an allowed origin, and nothing that only looks like it", async () => {
    const provider = await startOidcProvider({ redirectUris: [CALLBACK] });
    const t = await startTestServer(envFor(provider, { OAUTH_ALLOWED_REDIRECT_ORIGINS: "http://spa.test" }));
    try {
      for (const allowed of ["http://spa.test/", "http://spa.test/any/path?x=1", APP]) {
        await start(t, `redirect_uri=${encodeURIComponent(allowed)}`);
      }
      for (const refused of [
        "http://spa.test.evil.test/",
        "http://spa.test@evil.test/",
        "http://user:pass@spa.test/",
        "https://spa.test/",
        "http://spa.test:8080/",
        "javascript:alert(1)",
        "/relative",
        `${APP}/deeper`,
      ]) {
        const reply = await t.app.inject({
          method: "GET",
          url: `/api/v1/auth/oauth/acme?redirect_uri=${encodeURIComponent(refused)}`,
        });
        expect(reply.statusCode, refused).toBe(400);
        expect(errorCode(reply.json()), refused).toBe("OAUTH_REDIRECT_URI_NOT_ALLOWED");
        expect(reply.headers.location).toBeUndefined();
      }
    } finally {
      await t.close();
      await provider.close();
    }
  });

  it("answers 503 OAUTH_PROVIDER_UNAVAILABLE (not 500, no stack) whenever discovery fails", async () => {
    const port = await closedPort();
    const t = await startTestServer({
      PUBLIC_BASE_URL: PUBLIC,
      OAUTH_PROVIDERS: "acme",
      OAUTH_ACME_CLIENT_ID: "gatehouse",
      OAUTH_ACME_CLIENT_SECRET: "a-secret",
      OAUTH_ACME_ISSUER: `http://127.0.0.1:${port}`,
      OAUTH_ALLOWED_REDIRECT_URIS: APP,
    });
    try {
      for (const attempt of [1, 2]) {
        const reply = await t.app.inject({
          method: "GET",
          url: `/api/v1/auth/oauth/acme?redirect_uri=${encodeURIComponent(APP)}`,
        });
        expect(reply.statusCode, `attempt ${attempt}`).toBe(503);
        const body = reply.json();
        expect(body).toMatchObject({ success: false, error: { code: "OAUTH_PROVIDER_UNAVAILABLE" } });
        expect(reply.body).not.toMatch(/ECONNREFUSED|at .*\.js|stack/i);
      }
      const session = await registerAndLogIn(t, uniqueUser("offline"));
      const linkStart = await send(t, "GET", `${LINK}?${linkQuery}`, undefined, session.accessToken);
      expect(linkStart.status).toBe(503);
      expect(await t.query(sql`SELECT state_hash FROM oauth_states`)).toEqual([]);
    } finally {
      await t.close();
    }
  });
});
