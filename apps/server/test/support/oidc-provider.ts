import { generateKeyPairSync } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import Provider from "oidc-provider";

/** What the test's provider says about an account. */
export interface TestAccount {
  readonly email?: string;
  readonly email_verified?: boolean;
  readonly name?: string;
}

export interface TestOpenIdProvider {
  readonly issuer: string;
  readonly clientId: string;
  readonly clientSecret: string;
  /** The accounts the provider knows, by subject; a test adds to it before signing in. */
  readonly accounts: Map<string, TestAccount>;
  /**
   * Plays the user at the provider: follows the authorization URL through the development
   * login and consent forms as `subject` and returns the redirect back to the client.
   */
  signIn(authorizationUrl: string, subject: string, options?: { deny?: boolean }): Promise<URL>;
  close(): Promise<void>;
}

function signingKey() {
  const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  return {
    ...privateKey.export({ format: "jwk" }),
    kid: `k${Math.random().toString(36).slice(2, 8)}`,
    use: "sig",
    alg: "RS256",
  };
}

/**
 * A real OpenID Provider (panva's `oidc-provider`) on a loopback port with one confidential
 * client. With `foreignJwks`, the discovery document and the JWKS come from one instance while
 * authorization and tokens come from a second instance with the same issuer but its own key:
 * every ID token is then signed by a key the client was never shown.
 */
export async function startOidcProvider(options: {
  redirectUris: readonly string[];
  foreignJwks?: boolean;
}): Promise<TestOpenIdProvider> {
  const http: Server = createServer();
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  const issuer = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  const accounts = new Map<string, TestAccount>();
  const clientId = "gatehouse";
  const clientSecret = "gatehouse-test-client-secret-0123456789";
  const build = () =>
    new Provider(issuer, {
      clients: [
        {
          client_id: clientId,
          client_secret: clientSecret,
          redirect_uris: [...options.redirectUris],
          grant_types: ["authorization_code"],
          response_types: ["code"],
          token_endpoint_auth_method: "client_secret_post",
        },
      ],
      jwks: { keys: [signingKey()] },
      cookies: { keys: ["test-cookie-key-0123456789"] },
      claims: { openid: ["sub"], email: ["email", "email_verified"], profile: ["name"] },
      features: { devInteractions: { enabled: true } },
      pkce: { required: () => true },
      async findAccount(_ctx, id) {
        const account = accounts.get(id);
        if (account === undefined) return undefined;
        return { accountId: id, claims: async () => ({ sub: id, ...account }) };
      },
    });
  const main = build();
  const keyHolder = options.foreignJwks === true ? build() : main;
  const mainHandler = main.callback();
  const jwksHandler = keyHolder.callback();
  http.on("request", (req: IncomingMessage, res: ServerResponse) => {
    const path = req.url ?? "";
    if (path.startsWith("/jwks") || path.startsWith("/.well-known")) return jwksHandler(req, res);
    return mainHandler(req, res);
  });

  async function signIn(authorizationUrl: string, subject: string, signInOptions: { deny?: boolean } = {}) {
    const cookies = new Map<string, string>();
    const send = async (url: string, body?: URLSearchParams) => {
      const response = await fetch(url, {
        method: body === undefined ? "GET" : "POST",
        redirect: "manual",
        headers: {
          cookie: [...cookies].map(([name, value]) => `${name}=${value}`).join("; "),
          ...(body === undefined ? {} : { "content-type": "application/x-www-form-urlencoded" }),
        },
        ...(body === undefined ? {} : { body }),
      });
      for (const line of response.headers.getSetCookie()) {
        const [pair] = line.split(";");
        const at = pair?.indexOf("=") ?? -1;
        if (pair !== undefined && at > 0) cookies.set(pair.slice(0, at), pair.slice(at + 1));
      }
      await response.arrayBuffer();
      const location = response.headers.get("location");
      if (location === null) throw new Error(`the provider answered ${response.status} at ${url} without a redirect`);
      return new URL(location, url).href;
    };
    let next = await send(authorizationUrl);
    for (let step = 0; step < 10; step += 1) {
      const url = new URL(next);
      if (url.origin !== issuer) return url;
      const interaction = /^\/interaction\/([^/]+)$/.exec(url.pathname);
      if (interaction === null) {
        next = await send(next);
        continue;
      }
      const uid = interaction[1] as string;
      if (signInOptions.deny === true) {
        next = await send(`${issuer}/interaction/${uid}/abort`);
        continue;
      }
      const details = await main.Interaction.find(uid);
      const prompt = details?.prompt.name ?? "login";
      const form =
        prompt === "login"
          ? new URLSearchParams({ prompt, login: subject, password: "any" })
          : new URLSearchParams({ prompt });
      next = await send(`${issuer}/interaction/${uid}`, form);
    }
    throw new Error("the provider flow did not end");
  }

  return {
    issuer,
    clientId,
    clientSecret,
    accounts,
    signIn,
    close: () => new Promise<void>((resolve) => http.close(() => resolve())),
  };
}
