import { randomBytes } from "node:crypto";
import { createServer, type Server, type Socket } from "node:net";
import { DomainError, type KeycloakAccountState } from "@gatehouse/domain";
import { type KeycloakConfig, makeKeycloakAdapters } from "@gatehouse/infrastructure";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Keycloak, KeycloakGate, keycloakMissing, sharedKeycloak, type TestRealm } from "./support/keycloak.js";

const PASSWORD = "Tr1cky-Fjord-Lantern-88";

function configFor(url: string, realm: TestRealm, overrides: Partial<KeycloakConfig> = {}): KeycloakConfig {
  return {
    url,
    realm: realm.name,
    issuer: `${url}/realms/${realm.name}`,
    clientId: realm.appClient.id,
    clientSecret: realm.appClient.secret,
    adminClientId: realm.backendClient.id,
    adminClientSecret: realm.backendClient.secret,
    tokenExpiryBufferSeconds: 0,
    timeoutMs: 10_000,
    passwordGrant: true,
    acceptTokens: false,
    roleMapping: new Map(),
    autoProvision: false,
    jwksCooldownSeconds: 30,
    introspection: "off",
    syncKey: undefined,
    ...overrides,
  };
}

function stateOf(tag: string, overrides: Partial<KeycloakAccountState> = {}): KeycloakAccountState {
  return {
    gatehouseId: `00000000-0000-4000-8000-${randomBytes(6).toString("hex")}`,
    username: `kc_${tag}`,
    email: `kc.${tag}@example.com`,
    firstName: "Kay",
    lastName: "Cloak",
    enabled: true,
    emailVerified: true,
    ...overrides,
  };
}

async function expectUnavailable(work: Promise<unknown>): Promise<void> {
  const error = await work.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(DomainError);
  expect((error as DomainError).code).toBe("IDENTITY_BACKEND_UNAVAILABLE");
}

// The Keycloak adapters (admin REST directory, service-account token manager, token endpoint)
// against a real Keycloak 26 started by the harness; a fresh realm for this file.
describe.skipIf(keycloakMissing())("Keycloak adapters against a real Keycloak", () => {
  let keycloak: Keycloak;
  let realm: TestRealm;

  beforeAll(async () => {
    keycloak = await sharedKeycloak();
    realm = await keycloak.createRealm();
  }, 300_000);
  afterAll(async () => {
    await keycloak?.deleteRealm(realm);
  });

  it("creates, reads, updates, re-passwords and deletes an account; the password grant follows its state", async () => {
    const kc = makeKeycloakAdapters(configFor(keycloak.url, realm));
    const tag = randomBytes(4).toString("hex");
    const state = stateOf(tag, { enabled: false, emailVerified: false });
    const id = await kc.directory.create(state, PASSWORD);

    expect(await kc.directory.find(id)).toEqual({
      id,
      username: state.username,
      email: state.email,
      enabled: false,
      emailVerified: false,
      gatehouseId: state.gatehouseId,
    });
    expect((await kc.directory.findByEmail(state.email.toUpperCase()))?.id).toBe(id);
    expect(await kc.directory.findByEmail(`nobody.${tag}@example.com`)).toBeUndefined();
    // Disabled: refused like a wrong password.
    expect(await kc.signIn.passwordGrant(state.email, PASSWORD)).toBeUndefined();

    await kc.directory.update(id, { ...state, enabled: true, emailVerified: true });
    const session = await kc.signIn.passwordGrant(state.email, PASSWORD);
    expect(session?.subject).toBe(id);
    expect(await kc.signIn.passwordGrant(state.email, "Wrong-Fjord-Lantern-99")).toBeUndefined();
    expect(await kc.signIn.passwordGrant(`nobody.${tag}@example.com`, PASSWORD)).toBeUndefined();

    const renewed = await kc.signIn.refresh(session?.refreshToken as string);
    expect(renewed?.subject).toBe(id);

    await kc.directory.setPassword(id, "Second-Fjord-Lantern-77");
    expect(await kc.signIn.passwordGrant(state.email, PASSWORD)).toBeUndefined();
    expect((await kc.signIn.passwordGrant(state.email, "Second-Fjord-Lantern-77"))?.subject).toBe(id);

    // Ending every session: the stored refresh token stops working (seen at Gatehouse's next refresh).
    await kc.directory.logOutEverywhere(id);
    expect(await kc.signIn.refresh(renewed?.refreshToken as string)).toBeUndefined();

    await kc.directory.remove(id);
    expect(await kc.directory.find(id)).toBeUndefined();
    await kc.directory.remove(id); // already gone: fine
    await kc.directory.logOutEverywhere(id);
    await expect(kc.directory.update(id, state)).rejects.toMatchObject({ code: "USER_NOT_FOUND" });
    await expect(kc.directory.setPassword(id, PASSWORD)).rejects.toMatchObject({ code: "USER_NOT_FOUND" });
  }, 120_000);

  it("answers DUPLICATE_EMAIL for a taken email or username, and ends one session by its refresh token", async () => {
    const kc = makeKeycloakAdapters(configFor(keycloak.url, realm));
    const tag = randomBytes(4).toString("hex");
    const state = stateOf(tag);
    const id = await kc.directory.create(state, PASSWORD);
    await expect(kc.directory.create({ ...state, username: `other_${tag}` }, PASSWORD)).rejects.toMatchObject({
      code: "DUPLICATE_EMAIL",
    });
    const one = await kc.signIn.passwordGrant(state.username, PASSWORD);
    const two = await kc.signIn.passwordGrant(state.username, PASSWORD);
    await kc.signIn.endSession(one?.refreshToken as string);
    await kc.signIn.endSession(one?.refreshToken as string); // already over: fine
    expect(await kc.signIn.refresh(one?.refreshToken as string)).toBeUndefined();
    expect((await kc.signIn.refresh(two?.refreshToken as string))?.subject).toBe(id);
  }, 60_000);

  it("fetches the service-account token once for 50 parallel admin calls, and once more after it expires", async () => {
    // A realm whose tokens live 5 s, so expiry happens within the test.
    const short = await keycloak.createRealm({ accessTokenLifespan: 5 });
    try {
      const kc = makeKeycloakAdapters(configFor(keycloak.url, short, { tokenExpiryBufferSeconds: 1 }));
      const emails = Array.from({ length: 50 }, (_, i) => `burst.${i}@example.com`);
      expect(await Promise.all(emails.map((email) => kc.directory.findByEmail(email)))).toEqual(
        emails.map(() => undefined),
      );
      expect(kc.serviceAccount.requests).toBe(1);
      await new Promise((resolve) => setTimeout(resolve, 4_500));
      await Promise.all(emails.map((email) => kc.directory.findByEmail(email)));
      expect(kc.serviceAccount.requests).toBe(2);
    } finally {
      await keycloak.deleteRealm(short);
    }
  }, 60_000);

  it("renews a token Keycloak stops accepting (realm keys rotated) with one refetch, no error", async () => {
    const rotated = await keycloak.createRealm();
    try {
      const kc = makeKeycloakAdapters(configFor(keycloak.url, rotated));
      await kc.directory.findByEmail("before@example.com");
      expect(kc.serviceAccount.requests).toBe(1);
      // Rotate: a new RSA key provider takes over and every old key is removed, so the token held is refused.
      const components = await keycloak.admin<Array<{ id: string; providerId: string; providerType: string }>>(
        "GET",
        `/${rotated.name}/components?type=org.keycloak.keys.KeyProvider`,
      );
      await keycloak.admin("POST", `/${rotated.name}/components`, {
        name: "rotated-rsa",
        providerId: "rsa-generated",
        providerType: "org.keycloak.keys.KeyProvider",
        config: { priority: ["500"], algorithm: ["RS256"] },
      });
      for (const component of components) await keycloak.admin("DELETE", `/${rotated.name}/components/${component.id}`);
      expect(await kc.directory.findByEmail("after@example.com")).toBeUndefined();
      expect(kc.serviceAccount.requests).toBe(2);
    } finally {
      await keycloak.deleteRealm(rotated);
    }
  }, 60_000);

  it("maps Keycloak down, a hanging Keycloak and a refused service account to IDENTITY_BACKEND_UNAVAILABLE", async () => {
    const gate = await KeycloakGate.open(keycloak.url);
    const held = new Set<Socket>();
    const hanging: Server = createServer((socket) => held.add(socket)); // accepts, never answers
    await new Promise<void>((resolve) => hanging.listen(0, "127.0.0.1", resolve));
    try {
      const viaGate = makeKeycloakAdapters(configFor(gate.url, realm));
      expect(await viaGate.directory.findByEmail("up@example.com")).toBeUndefined();
      await gate.down();
      await expectUnavailable(viaGate.directory.findByEmail("down@example.com"));
      await expectUnavailable(viaGate.signIn.passwordGrant("down@example.com", PASSWORD));
      await expectUnavailable(viaGate.signIn.endSession("whatever"));
      await gate.up();
      expect(await viaGate.directory.findByEmail("back@example.com")).toBeUndefined();

      const port = (hanging.address() as { port: number }).port;
      const slow = makeKeycloakAdapters(configFor(`http://127.0.0.1:${port}`, realm, { timeoutMs: 300 }));
      const started = Date.now();
      await expectUnavailable(slow.directory.findByEmail("slow@example.com"));
      expect(Date.now() - started).toBeLessThan(5_000);

      const wrongSecret = makeKeycloakAdapters(
        configFor(keycloak.url, realm, { adminClientSecret: "wrong", clientSecret: "wrong" }),
      );
      await expectUnavailable(wrongSecret.directory.findByEmail("x@example.com"));
      await expectUnavailable(wrongSecret.signIn.passwordGrant("x@example.com", PASSWORD));
    } finally {
      await gate.close();
      for (const socket of held) socket.destroy();
      await new Promise<void>((resolve) => hanging.close(() => resolve()));
    }
  }, 60_000);
});
