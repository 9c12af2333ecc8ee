import type { AdminActor } from "@gatehouse/application";
import type { AccessTokenClaims } from "@gatehouse/domain";
import { isDomainError } from "@gatehouse/domain";
import type { FastifyReply, FastifyRequest } from "fastify";
import type { AppOptions } from "../../app-deps.js";
import { STEP_UP_MAX_AGE_SECONDS } from "../../http/assurance-hook.js";
import { requestContext } from "../../http/request-context.js";
import type { NoticeKey } from "../messages.js";
import { type PageCookies, requirePageSession, sendToLogin } from "../page-session-cookie.js";
import { requirePageAssurance } from "../page-step-up.js";
import type { PageError } from "../render.js";

/** The console counts against the admin API's own rate limit (RATE_LIMIT_ADMIN_*), per operator. */
export const adminRoute = { schema: { hide: true }, config: { rateLimit: "admin", pageSession: true } } as const;

/** The operator of a console request, or undefined once the browser was sent to `/login`. */
export type RequireOperator = (
  request: FastifyRequest,
  reply: FastifyReply,
  permission: string,
) => Promise<AdminActor | undefined>;

/**
 * The console's privilege guard is the API's: the cookie's session names the user, and the same
 * `authorize` the admin routes' permission hook calls decides (and audits a refusal as
 * `access.denied`); INSUFFICIENT_PERMISSIONS reaches the pages' error handler as the 403 page.
 * The claims carry only the subject: a page session has no issuer grants, and `authorize` reads
 * the user's roles afresh on every request, so a removed role applies on the next page. Then the
 * API's step-up rule: aal2 for an operator with a factor, proven within five minutes for a change
 * (INSUFFICIENT_USER_AUTHENTICATION, whose page points to the account page's confirm form).
 */
export function makeRequireOperator(options: AppOptions, cookies: PageCookies): RequireOperator {
  const { authorize } = options.useCases.auth;
  return async function requireOperator(request, reply, permission) {
    const session = await requirePageSession(request, reply, cookies);
    if (session === undefined) return undefined;
    const claims: AccessTokenClaims = {
      sub: session.userId,
      sid: session.sessionId,
      roles: [],
      permissions: [],
      jti: request.id,
      iat: 0,
      exp: 0,
    };
    try {
      const access = await authorize(claims, permission, requestContext(request));
      // An operator whose account a factor guards works from a session that proved it (aal2),
      // and a change needs it proven in the last five minutes, as the admin API's routes do.
      const changes = !permission.endsWith(":read");
      await requirePageAssurance(options, session, changes ? STEP_UP_MAX_AGE_SECONDS : undefined);
      return { id: session.userId, access };
    } catch (error) {
      if (isDomainError(error) && error.code === "SESSION_REVOKED") {
        await sendToLogin(reply, cookies);
        return undefined;
      }
      throw error;
    }
  };
}

/** How a console page is shown after a form: its notice, or its refusal and what was typed (never a password). */
export interface ConsoleOutcome {
  readonly notice?: NoticeKey;
  readonly errors?: PageError[];
  readonly status?: number;
  readonly values?: Readonly<Record<string, string>>;
}

/** `YYYY-MM-DD HH:MM` UTC, how the console shows instants. */
export function shortTime(at: Date | null): string {
  return at === null ? "—" : at.toISOString().replace("T", " ").slice(0, 16);
}

/** A positive page number from the query string, 1 when absent or not one. */
export function pageNumber(raw: string): number {
  return /^[1-9][0-9]{0,5}$/.test(raw) ? Number(raw) : 1;
}

/** Previous/next links of a paginated list, keeping the filters. */
export function pagerOf(
  base: string,
  filters: Readonly<Record<string, string>>,
  page: number,
  perPage: number,
  total: number,
) {
  const pages = Math.max(1, Math.ceil(total / perPage));
  const link = (to: number) => {
    const query = new URLSearchParams(Object.entries(filters).filter(([, value]) => value !== ""));
    query.set("page", String(to));
    return `${base}?${query.toString()}`;
  };
  return {
    page,
    pages,
    total,
    previous: page > 1 ? link(page - 1) : undefined,
    next: page < pages ? link(page + 1) : undefined,
  };
}
