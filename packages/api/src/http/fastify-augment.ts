import type { AccessTokenClaims } from "@gatehouse/domain";

declare module "fastify" {
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
