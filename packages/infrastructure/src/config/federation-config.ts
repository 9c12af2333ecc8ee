/** One enabled sign-in provider, as OAUTH_<NAME>_* describes it. */
export type FederationProviderConfig =
  | {
      readonly name: string;
      readonly kind: "oidc";
      readonly clientId: string;
      readonly clientSecret: string;
      readonly scopes: readonly string[];
      readonly issuer: string;
    }
  | {
      readonly name: string;
      readonly kind: "github" | "facebook";
      readonly clientId: string;
      readonly clientSecret: string;
      readonly scopes: readonly string[];
      readonly authorizationUrl: string;
      readonly tokenUrl: string;
      readonly userinfoUrl: string;
      /** GitHub only: where the verified addresses are listed. */
      readonly emailsUrl: string | undefined;
    };

/** Federated login (README, "Social login"); no provider enabled: the routes answer 404. */
export interface FederationConfig {
  readonly providers: readonly FederationProviderConfig[];
  /** App URLs that may receive the result, compared exactly. */
  readonly allowedRedirectUris: readonly string[];
  /** Origins any of whose URLs may receive the result. */
  readonly allowedRedirectOrigins: readonly string[];
  /** Plain-http issuers and endpoints are accepted (never in production). */
  readonly allowInsecure: boolean;
}

interface EnvReader {
  raw(name: string): string | undefined;
  list(name: string): string[];
}

type Fail = (message: string) => never;

const BUILT_IN = {
  github: {
    authorizationUrl: "https://github.com/login/oauth/authorize",
    tokenUrl: "https://github.com/login/oauth/access_token",
    userinfoUrl: "https://api.github.com/user",
    emailsUrl: "https://api.github.com/user/emails",
    scopes: ["read:user", "user:email"],
  },
  facebook: {
    authorizationUrl: "https://www.facebook.com/v19.0/dialog/oauth",
    tokenUrl: "https://graph.facebook.com/v19.0/oauth/access_token",
    userinfoUrl: "https://graph.facebook.com/v19.0/me?fields=id,name,email",
    emailsUrl: undefined,
    scopes: ["email", "public_profile"],
  },
} as const;

function url(name: string, value: string, insecure: boolean, fail: Fail): string {
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    return fail(`${name} must be an absolute URL (got "${value}")`);
  }
  if (parsed.protocol !== "https:" && !(insecure && parsed.protocol === "http:")) {
    return fail(`${name} must be an https URL${insecure ? " (or http outside production)" : ""} (got "${value}")`);
  }
  return parsed.href;
}

function required(read: EnvReader, name: string, fail: Fail): string {
  const value = read.raw(name);
  if (value === undefined) return fail(`${name} is required because OAUTH_PROVIDERS enables this provider`);
  return value;
}

/** Reads OAUTH_*; a half-configured provider fails with one line naming the missing variable. */
/**
 * `pagesEnabled`: the hosted pages receive a result of their own (`/login/federated`, which the
 * wiring allows), so the allow-list may then be empty.
 */
export function readFederation(
  read: EnvReader,
  production: boolean,
  fail: Fail,
  pagesEnabled: boolean,
): FederationConfig {
  const allowInsecure = !production;
  const names = read.list("OAUTH_PROVIDERS").map((name) => name.toLowerCase());
  const providers = names.map((name): FederationProviderConfig => {
    if (!/^[a-z][a-z0-9]{0,31}$/.test(name)) {
      fail(`OAUTH_PROVIDERS names "${name}": a provider name is lowercase letters and digits`);
    }
    const prefix = `OAUTH_${name.toUpperCase()}`;
    // `keycloak` defaults to the realm of KEYCLOAK_URL/KEYCLOAK_REALM and its user-facing client.
    const keycloakIssuer =
      name === "keycloak" && read.raw("KEYCLOAK_URL") !== undefined && read.raw("KEYCLOAK_REALM") !== undefined
        ? `${(read.raw("KEYCLOAK_URL") as string).replace(/\/+$/, "")}/realms/${read.raw("KEYCLOAK_REALM")}`
        : undefined;
    const fromKeycloak = (suffix: string) => (name === "keycloak" ? read.raw(`KEYCLOAK_${suffix}`) : undefined);
    const clientId =
      read.raw(`${prefix}_CLIENT_ID`) ?? fromKeycloak("CLIENT_ID") ?? required(read, `${prefix}_CLIENT_ID`, fail);
    const clientSecret =
      read.raw(`${prefix}_CLIENT_SECRET`) ??
      fromKeycloak("CLIENT_SECRET") ??
      required(read, `${prefix}_CLIENT_SECRET`, fail);
    const scopes = read.list(`${prefix}_SCOPES`).flatMap((scope) => scope.split(/\s+/));
    if (name === "github" || name === "facebook") {
      const defaults = BUILT_IN[name];
      const endpoint = (suffix: string, fallback: string) =>
        url(`${prefix}_${suffix}`, read.raw(`${prefix}_${suffix}`) ?? fallback, allowInsecure, fail);
      return {
        name,
        kind: name,
        clientId,
        clientSecret,
        scopes: scopes.length > 0 ? scopes : defaults.scopes,
        authorizationUrl: endpoint("AUTHORIZATION_URL", defaults.authorizationUrl),
        tokenUrl: endpoint("TOKEN_URL", defaults.tokenUrl),
        userinfoUrl: endpoint("USERINFO_URL", defaults.userinfoUrl),
        emailsUrl: defaults.emailsUrl === undefined ? undefined : endpoint("EMAILS_URL", defaults.emailsUrl),
      };
    }
    const issuer =
      read.raw(`${prefix}_ISSUER`) ??
      (name === "google"
        ? "https://accounts.google.com"
        : (keycloakIssuer ?? required(read, `${prefix}_ISSUER`, fail)));
    return {
      name,
      kind: "oidc",
      clientId,
      clientSecret,
      scopes: scopes.length > 0 ? scopes : ["openid", "email", "profile"],
      issuer: url(`${prefix}_ISSUER`, issuer, allowInsecure, fail),
    };
  });
  if (new Set(names).size !== names.length) fail("OAUTH_PROVIDERS names a provider twice");
  const allowedRedirectUris = read
    .list("OAUTH_ALLOWED_REDIRECT_URIS")
    .map((uri) => url("OAUTH_ALLOWED_REDIRECT_URIS", uri, allowInsecure, fail));
  const allowedRedirectOrigins = read
    .list("OAUTH_ALLOWED_REDIRECT_ORIGINS")
    .map((origin) => new URL(url("OAUTH_ALLOWED_REDIRECT_ORIGINS", origin, allowInsecure, fail)).origin);
  const noApp = allowedRedirectUris.length === 0 && allowedRedirectOrigins.length === 0;
  if (providers.length > 0 && noApp && !pagesEnabled) {
    fail(
      "OAUTH_ALLOWED_REDIRECT_URIS is required when OAUTH_PROVIDERS is set and PAGES_ENABLED=false: no app could receive the result",
    );
  }
  return { providers, allowedRedirectUris, allowedRedirectOrigins, allowInsecure };
}
