import type { AccessTokenClaims } from "@gatehouse/domain";

declare module "fastify" {
  interface FastifyInstance {
    /** Every route registered, as `{ method, url }` (HEAD and OPTIONS included when explicit). */
    readonly routeTable: ReadonlyArray<{ readonly method: string; readonly url: string }>;
  }
  interface FastifyRequest {
    /** Set by the auth hook on routes that require a bearer token. */
    auth: AccessTokenClaims | null;
    startedAt: Date;
  }
  interface FastifyContextConfig {
    /** The route needs a valid access token. */
    auth?: boolean;
  }
}
