import type { FactorView, PageSession, TotpEnrolment } from "@gatehouse/application";
import { DomainError, guardsLogin, type MfaFactorType } from "@gatehouse/domain";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { AppOptions } from "../app-deps.js";
import { requestContext } from "../http/request-context.js";
import { shortTime } from "./admin/admin-guard.js";
import { credentialField, formField, queryField } from "./form-fields.js";
import { isNoticeKey, type NoticeKey } from "./messages.js";
import { allowDataImages, logoOriginOf } from "./page-security.js";
import { currentPageSession, type PageCookies, requirePageSession } from "./page-session-cookie.js";
import { requirePageStepUp } from "./page-step-up.js";
import { jsonRefusal, type PageError, type PageRenderer, refusalOf, renderPage } from "./render.js";

/** Factor changes spend the budget their API twins (/users/me/mfa) spend. */
const securityPost = { schema: { hide: true }, config: { rateLimit: "auth", pageSession: true } } as const;
const securityPage = { schema: { hide: true }, config: { rateLimit: "api", pageSession: true } } as const;

const FACTOR_NAMES: Readonly<Record<MfaFactorType, string>> = {
  totp: "Authenticator app",
  webauthn: "Passkey",
  recovery_codes: "Recovery codes",
};

/** What one rendering of the page shows besides the factor list. */
interface SecurityOutcome {
  readonly notice?: NoticeKey;
  readonly errors?: PageError[];
  readonly status?: number;
  /** A started app enrolment: its secret and QR code, shown until the code confirms it. */
  readonly enrolment?: TotpEnrolment;
  /** A new recovery-code set, shown this once (the answer to a post, never a redirect target). */
  readonly recoveryCodes?: readonly string[];
}

/**
 * `/account/security`: the signed-in user's second factors over the same use cases as
 * /api/v1/users/me/mfa. A change asks for the page session's assurance exactly as the API asks
 * the token's (`acr`, the same record): a session signed in without a second factor may enrol
 * the first one, but changes to an account a factor guards need one signed in with it.
 */
export function accountSecurityPages(
  app: FastifyInstance,
  options: AppOptions,
  renderer: PageRenderer,
  cookies: PageCookies,
) {
  const { mfa } = options.useCases;
  if (mfa === undefined) return;
  const { messages } = renderer;
  const logoOrigin = logoOriginOf(renderer.brand.logoUrl);
  const signedIn = (request: FastifyRequest, reply: FastifyReply) => requirePageSession(request, reply, cookies);

  // Arrow functions, not declarations: a hoisted declaration would lose the narrowing of `mfa`.
  const securityPageOf = async (
    request: FastifyRequest,
    reply: FastifyReply,
    session: PageSession,
    outcome: SecurityOutcome = {},
  ) => {
    const factors = await mfa.listFactors(session.userId);
    if (outcome.enrolment !== undefined) allowDataImages(request, reply, logoOrigin);
    const view = {
      title: "Two-step verification",
      factors: factors.map((factor) => factorRow(factor)),
      hasApp: factors.some((factor) => factor.type === "totp"),
      guarded: factors.some(guardsLogin),
      enrolment: outcome.enrolment,
      recoveryCodes: outcome.recoveryCodes,
      ...(outcome.notice === undefined ? {} : { notice: outcome.notice }),
      ...(outcome.errors === undefined ? {} : { errors: outcome.errors }),
    };
    return renderPage(renderer, request, reply, "account-security", view, outcome.status ?? 200);
  };

  /** Runs a form's use case and shows the page with what it answered, or with its refusal. */
  const securityAction = async (
    request: FastifyRequest,
    reply: FastifyReply,
    work: (session: PageSession) => Promise<SecurityOutcome>,
  ) => {
    const session = await signedIn(request, reply);
    if (session === undefined) return reply;
    let outcome: SecurityOutcome;
    try {
      outcome = await work(session);
    } catch (error) {
      const { status, errors } = refusalOf(error, messages);
      return securityPageOf(request, reply, session, { errors, status });
    }
    return securityPageOf(request, reply, session, outcome);
  };

  app.get("/account/security", securityPage, async (request, reply) => {
    const session = await signedIn(request, reply);
    if (session === undefined) return reply;
    const notice = queryField(request, "notice");
    return securityPageOf(request, reply, session, isNoticeKey(messages, notice) ? { notice } : {});
  });

  app.post("/account/security/totp", securityPost, async (request, reply) =>
    securityAction(request, reply, async (session) => ({ enrolment: await mfa.startTotpEnrolment(session.userId) })),
  );

  app.post("/account/security/totp/confirm", securityPost, async (request, reply) =>
    securityAction(request, reply, async (session) => {
      const code = formField(request, "code");
      const confirmed = await mfa.confirmTotpEnrolment(session.userId, code, requestContext(request));
      return { notice: "totp_enrolled", recoveryCodes: confirmed.recoveryCodes };
    }),
  );

  app.post("/account/security/recovery-codes", securityPost, async (request, reply) =>
    securityAction(request, reply, async (session) => {
      await requirePageStepUp(options, session);
      const codes = await mfa.regenerateRecoveryCodes(callerOf(session), requestContext(request));
      return { notice: "recovery_codes_regenerated", recoveryCodes: codes };
    }),
  );

  app.post("/account/security/factors/remove", securityPost, async (request, reply) => {
    const session = await signedIn(request, reply);
    if (session === undefined) return reply;
    try {
      await requirePageStepUp(options, session);
      await mfa.removeFactor(callerOf(session), formField(request, "factor_id"), requestContext(request));
    } catch (error) {
      const { status, errors } = refusalOf(error, messages);
      return securityPageOf(request, reply, session, { errors, status });
    }
    return reply.redirect("/account/security?notice=factor_removed", 303);
  });

  // The options for navigator.credentials.create, fetched by pages.js with the form's CSRF token.
  app.post("/account/security/passkey-options", securityPost, async (request, reply) => {
    const session = currentPageSession(request);
    try {
      if (session === undefined) throw new DomainError("UNAUTHORIZED");
      return await mfa.startPasskeyRegistration(callerOf(session));
    } catch (error) {
      return jsonRefusal(reply, refusalOf(error, messages));
    }
  });

  app.post("/account/security/passkey", securityPost, async (request, reply) =>
    securityAction(request, reply, async (session) => {
      const response = credentialField(request, "credential");
      const name = formField(request, "name");
      const added = await mfa.finishPasskeyRegistration(session.userId, { response, name }, requestContext(request));
      return added.recoveryCodes === null
        ? { notice: "passkey_added" }
        : { notice: "passkey_added", recoveryCodes: added.recoveryCodes };
    }),
  );
}

/** The caller as the factor use cases take it: the page session's own assurance. */
function callerOf(session: PageSession) {
  return { userId: session.userId, acr: session.acr };
}

function factorRow(factor: FactorView) {
  return {
    id: factor.id,
    name: FACTOR_NAMES[factor.type],
    added: shortTime(factor.confirmedAt ?? factor.createdAt),
    lastUsed: shortTime(factor.lastUsedAt),
    remainingCodes: factor.remainingCodes,
  };
}
