import { randomUUID } from "node:crypto";
import {
  type AuthenticateDeps,
  makeAuthenticateExternal,
  makeEmailHeldByForeignAccount,
  makeKeycloakPasswordCheck,
  makeKeycloakSessionGuard,
  makeProvisionKeycloakUser,
  type PasswordCheck,
  type SessionGuard,
} from "@gatehouse/application";
import {
  KeycloakAccessTokens,
  type KeycloakAdapters,
  makeKeycloakAdapters,
  makeKeycloakSessionStore,
} from "@gatehouse/infrastructure";
import { keycloakBoxes } from "./adapters.js";
import { traced } from "./tracing.js";
import type { Wiring } from "./wiring.js";

const wired = new WeakMap<Wiring, AuthenticateDeps["external"]>();

/**
 * Realm-issued bearer tokens on the API (`KEYCLOAK_ACCEPT_TOKENS=true`), or undefined. One
 * verifier per process, so the realm's JWKS is fetched once and shared by the HTTP and chat paths.
 */
export function keycloakTokensOf(w: Wiring): AuthenticateDeps["external"] {
  if (wired.has(w)) return wired.get(w);
  const keycloak = w.config.identity.keycloak;
  const external =
    keycloak === undefined || !keycloak.acceptTokens
      ? undefined
      : (() => {
          const tokens = traced(
            w.config,
            new KeycloakAccessTokens({
              issuer: keycloak.issuer,
              clientId: keycloak.clientId,
              timeoutMs: keycloak.timeoutMs,
              jwksCooldownSeconds: keycloak.jwksCooldownSeconds,
              ...(keycloak.introspection === "off"
                ? {}
                : { introspection: { mode: keycloak.introspection, clientSecret: keycloak.clientSecret } }),
            }),
            "keycloak.tokens",
          );
          return {
            tokens,
            authenticate: makeAuthenticateExternal({
              tokens,
              users: w.repositories.users,
              roles: w.repositories.roles,
              cache: w.cache,
              clock: w.clock,
              roleMapping: keycloak.roleMapping,
              ...(keycloak.autoProvision
                ? {
                    provision: makeProvisionKeycloakUser({
                      uow: w.uow,
                      clock: w.clock,
                      requireAdminApproval: w.policies.lifecycle.requireAdminApproval,
                      newId: randomUUID,
                    }),
                  }
                : {}),
            }),
          };
        })();
  wired.set(w, external);
  return external;
}

const adapters = new WeakMap<Wiring, KeycloakAdapters | undefined>();

/** Each call Gatehouse makes to Keycloak in a span when tracing is on. */
function tracedKeycloak(w: Wiring, made: KeycloakAdapters): KeycloakAdapters {
  return {
    ...made,
    directory: traced(w.config, made.directory, "keycloak.directory"),
    signIn: traced(w.config, made.signIn, "keycloak.sign_in"),
    probe: traced(w.config, made.probe, "keycloak.probe", ["ping"]),
  };
}

/**
 * The Keycloak directory, sign-in endpoints and readiness probe with IDENTITY_BACKEND=keycloak,
 * else undefined: one service-account token manager per process, shared by every admin call.
 */
export function keycloakAdaptersOf(w: Wiring): KeycloakAdapters | undefined {
  if (adapters.has(w)) return adapters.get(w);
  const keycloak = w.config.identity.keycloak;
  const made =
    w.config.identity.backend === "keycloak" && keycloak !== undefined
      ? tracedKeycloak(w, makeKeycloakAdapters(keycloak))
      : undefined;
  adapters.set(w, made);
  return made;
}

/**
 * Registration's look-up of the email among Keycloak's accounts with IDENTITY_BACKEND=keycloak
 * (an account Gatehouse did not create makes the address taken), else nothing.
 */
export function keycloakRegistrationCheckOf(w: Wiring): { emailHeldElsewhere?: (email: string) => Promise<boolean> } {
  const keycloak = keycloakAdaptersOf(w);
  return keycloak === undefined ? {} : { emailHeldElsewhere: makeEmailHeldByForeignAccount(keycloak.directory) };
}

/**
 * `POST /auth/login`'s password check with IDENTITY_BACKEND=keycloak and KEYCLOAK_PASSWORD_GRANT=true
 * (Keycloak's password grant), else nothing: the local hash, as in local mode.
 */
export function keycloakPasswordCheckOf(w: Wiring): { passwordCheck?: PasswordCheck } {
  const keycloak = keycloakAdaptersOf(w);
  if (keycloak === undefined || w.config.identity.keycloak?.passwordGrant !== true || w.keycloakSync === undefined) {
    return {};
  }
  return {
    passwordCheck: makeKeycloakPasswordCheck({
      signIn: keycloak.signIn,
      hasher: w.hasher,
      sessions: w.keycloakSync.sessions,
      onEndSessionFailure: (error) =>
        w.logger.warn({ err: error }, "could not end the Keycloak session a sign-in opened; it expires by itself"),
    }),
  };
}

/**
 * The refresh path's check of the Keycloak session behind a password-grant session (the refresh flow:
 * renewed near expiry, an ended one ends the Gatehouse session), else nothing.
 */
export function keycloakSessionGuardOf(w: Wiring): { sessionGuard?: { check: SessionGuard; uow: Wiring["uow"] } } {
  const keycloak = keycloakAdaptersOf(w);
  const config = w.config.identity.keycloak;
  if (keycloak === undefined || config === undefined || w.keycloakSync === undefined) return {};
  return {
    sessionGuard: {
      check: makeKeycloakSessionGuard({
        store: makeKeycloakSessionStore(w.database.db, keycloakBoxes(w.keycloakSync.key).sessions),
        signIn: keycloak.signIn,
        clock: w.clock,
        bufferSeconds: config.tokenExpiryBufferSeconds,
      }),
      uow: w.uow,
    },
  };
}
