import {
  type AccessTokenClaims,
  type Cache,
  type Clock,
  DomainError,
  type ExternalAccessTokens,
  type ExternalTokenIdentity,
  permissionsOf,
  type RoleGrant,
  type RoleRepository,
  type User,
  type UserRepository,
} from "@gatehouse/domain";
import { loadGrants } from "./load-access.js";

export interface AuthenticateExternalDeps {
  readonly tokens: ExternalAccessTokens;
  readonly users: Pick<UserRepository, "find" | "findByKeycloakId">;
  readonly roles: Pick<RoleRepository, "list">;
  readonly cache: Cache;
  readonly clock: Clock;
  /** Issuer role (`realm:<role>`, `<client>:<role>`) → Gatehouse role name. */
  readonly roleMapping: ReadonlyMap<string, string>;
  /**
   * KEYCLOAK_AUTO_PROVISION: creates the user of an account no row is linked to yet (undefined
   * when it cannot); absent, such a token is refused like a bad one.
   */
  readonly provision?: (identity: ExternalTokenIdentity) => Promise<User | undefined>;
}

/** How long the role catalogue (for mapped roles' permissions) is reused. */
const CATALOGUE_TTL_MS = 30_000;

/**
 * Turns a verified Keycloak access token into Gatehouse claims: the user is the one linked by
 * `keycloak_id` (created on first sight with `provision`) and must be active here (local status
 * decides, as for Gatehouse tokens); its roles
 * are its Gatehouse roles plus those KEYCLOAK_ROLE_MAPPING maps the token's roles to. The session
 * id is prefixed `keycloak:` so it can never name a Gatehouse session.
 */
export function makeAuthenticateExternal(deps: AuthenticateExternalDeps) {
  let catalogue: { readonly at: number; readonly grants: ReadonlyMap<string, RoleGrant> } | undefined;

  async function mappedGrants(issuerRoles: readonly string[]): Promise<RoleGrant[]> {
    const names = [...new Set(issuerRoles.flatMap((role) => deps.roleMapping.get(role) ?? []))];
    if (names.length === 0) return [];
    const now = deps.clock.now().getTime();
    if (catalogue === undefined || now - catalogue.at > CATALOGUE_TTL_MS) {
      const roles = await deps.roles.list();
      catalogue = {
        at: now,
        grants: new Map(
          roles.map((role) => [
            role.name,
            { id: role.id, name: role.name, permissions: role.permissions.map((permission) => permission.name) },
          ]),
        ),
      };
    }
    const grants = catalogue.grants;
    return names.flatMap((name) => grants.get(name) ?? []);
  }

  return async function authenticateExternal(bearerToken: string): Promise<AccessTokenClaims> {
    const identity = await deps.tokens.verify(bearerToken);
    const user = (await deps.users.findByKeycloakId(identity.subject)) ?? (await deps.provision?.(identity));
    // An unknown or blocked account answers like a bad token: the caller learns nothing more.
    if (user === undefined) throw new DomainError("INVALID_TOKEN", "Invalid token");
    const own = await loadGrants(deps, user.id);
    if (own === undefined) throw new DomainError("INVALID_TOKEN", "Invalid token");
    const mapped = await mappedGrants(identity.roles);
    const grants = [...own, ...mapped];
    return {
      sub: user.id,
      sid: `keycloak:${identity.sessionId ?? identity.jti}`,
      roles: [...new Set(grants.map((grant) => grant.name))].sort(),
      permissions: permissionsOf(grants),
      jti: identity.jti,
      iat: identity.iat,
      exp: identity.exp,
      issuerGrants: { roles: mapped.map((grant) => grant.name), permissions: permissionsOf(mapped) },
    };
  };
}
