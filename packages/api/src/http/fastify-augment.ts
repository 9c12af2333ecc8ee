import type { PageSession, RouteRateLimit } from "@gatehouse/application";
import type { AccessTokenClaims, UserAccess } from "@gatehouse/domain";

declare module "fastify" {
  interface FastifyInstance {
    /**
     * Every route registered (HEAD and OPTIONS included when explicit), with the permission it
     * declares and whether it needs a bearer token.
     */
    readonly routeTable: ReadonlyArray<{
      readonly method: string;
      readonly url: string;
      readonly permission: string | undefined;
      readonly auth: boolean;
    }>;
  }
  interface FastifyRequest {
    /** Set by the auth hook on routes that require a bearer token. */
    auth: AccessTokenClaims | null;
    /** Set by the permission hook on routes that declare `permission`: what the caller holds now. */
    access: UserAccess | null;
    /**
     * Set by the page-session hook on routes declared with `pageSession: true`: the live session
     * the hosted pages' cookie names, or null (no cookie, or its session ended).
     */
    pageSession: PageSession | null;
    startedAt: Date;
  }
  interface FastifyContextConfig {
    /** The route needs a valid access token. */
    auth?: boolean;
    /**
     * The permission (`resource:action`) the caller must hold; implies `auth: true`. Declared
     * next to the route's schema; the one permission hook enforces it and the OpenAPI
     * document shows it.
     */
    permission?: string;
    /**
     * The route's rate-limit category (README, "Rate limiting"); when absent it follows from the path
     * (see `routeRateLimit`): `/api/v1/admin/*` is `admin`, the rest of `/api/v1/` is `api`.
     */
    rateLimit?: RouteRateLimit;
    /**
     * A hosted page of a signed-in user: its cookie's session is resolved once, before the rate
     * limit (which then counts the request per user), and the page reads `request.pageSession`.
     */
    pageSession?: boolean;
    /**
     * Step-up (RFC 9470): a caller whose account a second factor guards needs a token at this
     * level (`acr` aal2); declared with `auth: true` or a `permission`. Enforced by the one
     * assurance hook, shown in the OpenAPI document.
     */
    requireAal?: 2;
    /** With `requireAal`: the factor must have been proven at most this many seconds ago (`auth_time`). */
    maxAuthAge?: number;
  }
}
