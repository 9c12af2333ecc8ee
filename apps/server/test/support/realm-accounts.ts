import type { Keycloak, TestRealm } from "./keycloak.js";

/** The password every realm account these helpers create signs in with. */
export const REALM_PASSWORD = "Tr1cky-Fjord-Lantern-88";

/**
 * An access token of a realm account through the password grant on the app client (or `client`),
 * asked at `issuer`: the address Keycloak is reached by becomes the token's `iss`.
 */
export async function realmAccessToken(
  issuer: string,
  username: string,
  client: { id: string; secret?: string },
  password = REALM_PASSWORD,
): Promise<string> {
  const response = await fetch(`${issuer}/protocol/openid-connect/token`, {
    method: "POST",
    body: new URLSearchParams({
      grant_type: "password",
      client_id: client.id,
      ...(client.secret === undefined ? {} : { client_secret: client.secret }),
      username,
      password,
      scope: "openid",
    }),
  });
  const body = (await response.json()) as { access_token?: string; error?: string };
  if (body.access_token === undefined) throw new Error(`realm token: ${response.status} ${body.error}`);
  return body.access_token;
}

/** Creates an enabled realm account with REALM_PASSWORD and the given realm roles; answers its id. */
export async function createRealmAccount(
  keycloak: Keycloak,
  realm: TestRealm,
  account: { username: string; email: string; emailVerified?: boolean; realmRoles?: readonly string[] },
): Promise<string> {
  await keycloak.admin("POST", `/${realm.name}/users`, {
    username: account.username,
    email: account.email,
    firstName: "Kay",
    lastName: "Cloak",
    enabled: true,
    emailVerified: account.emailVerified ?? true,
    credentials: [{ type: "password", value: REALM_PASSWORD, temporary: false }],
  });
  const [created] = await keycloak.admin<Array<{ id: string }>>(
    "GET",
    `/${realm.name}/users?username=${encodeURIComponent(account.username)}&exact=true`,
  );
  const id = created?.id as string;
  const realmRoles = account.realmRoles ?? [];
  if (realmRoles.length > 0) {
    const roles = await Promise.all(
      realmRoles.map((role) => keycloak.admin<{ id: string; name: string }>("GET", `/${realm.name}/roles/${role}`)),
    );
    await keycloak.admin("POST", `/${realm.name}/users/${id}/role-mappings/realm`, roles);
  }
  return id;
}
