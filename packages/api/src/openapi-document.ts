import type { ChatPresenceSync } from "@gatehouse/application";
import { DEFAULT_CHAT_LIMITS } from "@gatehouse/domain";
import type {
  ApiUseCases,
  AppOptions,
  ChatUseCases,
  DevMailboxReader,
  FederationUseCases,
  IdentityUseCases,
  MfaUseCases,
  PasskeyLoginUseCases,
  TokenKeysView,
} from "./app-deps.js";
import { buildApp } from "./build-app.js";
import { silentLogger } from "./http/silent-logger.js";

/** The OpenAPI document as @fastify/swagger builds it. */
export type OpenApiDocument = ReturnType<Awaited<ReturnType<typeof buildApp>>["swagger"]>;

/**
 * A group of use cases whose every member refuses to run, but for the plain values in `given`.
 * The document-only app answers no request, so nothing calls them; `then` stays undefined so
 * the group is never taken for a promise.
 */
function unserved<T extends object>(group: string, given: Partial<T> = {}): T {
  return new Proxy(given as T, {
    get: (target, name) => {
      if (name in target) return target[name as keyof T];
      if (name === "then" || typeof name === "symbol") return undefined;
      return () => {
        throw new Error(`${group}.${name}: the document-only app serves no request`);
      };
    },
  });
}

/** Every optional group present, so the document names every route a server may serve. */
function documentUseCases(): ApiUseCases {
  return {
    auth: unserved("auth"),
    registration: unserved("registration"),
    recovery: unserved("recovery"),
    account: unserved("account"),
    admin: unserved("admin"),
    rbac: unserved("rbac"),
    health: unserved("health"),
    rateLimit: unserved("rateLimit"),
    federation: unserved<FederationUseCases>("federation"),
    identities: unserved<IdentityUseCases>("identities"),
    mfa: unserved<MfaUseCases>("mfa"),
    passkeyLogin: unserved<PasskeyLoginUseCases>("passkeyLogin"),
    // The socket route reads the limits when it is registered (it is hidden from the document),
    // and stops the presence sync when the app closes.
    chat: unserved<ChatUseCases>("chat", {
      limits: DEFAULT_CHAT_LIMITS,
      allowQueryToken: false,
      presence: unserved<ChatPresenceSync>("chat.presence", { stop: async () => {} }),
    }),
  };
}

/**
 * The OpenAPI document of the API with every optional feature on (chat, social login, the
 * address check, the development mailbox, the `.well-known` keys), built without a database,
 * adapters or a socket: what `@gatehouse/client` generates its types from. A running server
 * serves its own document at `/openapi.json`, without the routes its configuration leaves out.
 */
export async function openApiDocument(version: string): Promise<OpenApiDocument> {
  const options: AppOptions = {
    useCases: documentUseCases(),
    logger: silentLogger,
    version,
    bodyLimitBytes: 1024 * 1024,
    corsAllowedOrigins: [],
    trustProxy: false,
    isShuttingDown: () => false,
    devMailbox: unserved<DevMailboxReader>("devMailbox"),
    tokenKeys: unserved<TokenKeysView>("tokenKeys"),
  };
  const app = await buildApp(options);
  try {
    await app.ready();
    return app.swagger();
  } finally {
    await app.close();
  }
}
