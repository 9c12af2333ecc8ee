import type { PageSession } from "@gatehouse/application";
import { isDomainError } from "@gatehouse/domain";
import type { FastifyInstance } from "fastify";
import type { AppOptions } from "../app-deps.js";
import { STEP_UP_MAX_AGE_SECONDS } from "../http/assurance-hook.js";
import { requestContext } from "../http/request-context.js";
import { type AccountAction, accountRoute } from "./account-action.js";
import { formField } from "./form-fields.js";

/** A page session as the step-up check reads a token: who, at which level, proven when. */
function claimsOf(session: PageSession) {
  return { sub: session.userId, acr: session.acr, auth_time: Math.floor(session.authTime.getTime() / 1000) };
}

/**
 * The API's step-up rule for a page form (RFC 9470's `max_age` of the sensitive routes): when a
 * factor guards the account, the page session must have proven one within five minutes, or
 * the form is refused with INSUFFICIENT_USER_AUTHENTICATION and the account page offers the
 * step-up form. The same use case as the assurance hook, so pages and API cannot disagree.
 */
export async function requirePageStepUp(options: AppOptions, session: PageSession): Promise<void> {
  await requirePageAssurance(options, session, STEP_UP_MAX_AGE_SECONDS);
}

/** The same check with the route's own age: undefined asks only for aal2 (the console's pages). */
export async function requirePageAssurance(
  options: AppOptions,
  session: PageSession,
  maxAgeSeconds: number | undefined,
): Promise<void> {
  await options.useCases.mfa?.requireAssurance(claimsOf(session), maxAgeSeconds === undefined ? {} : { maxAgeSeconds });
}

/** Whether the account page should offer the step-up form: a guarded account whose session is not fresh. */
export async function needsPageStepUp(options: AppOptions, session: PageSession): Promise<boolean> {
  try {
    await requirePageStepUp(options, session);
    return false;
  } catch (error) {
    if (isDomainError(error) && error.code === "INSUFFICIENT_USER_AUTHENTICATION") return true;
    throw error;
  }
}

/**
 * `POST /account/step-up`: a code from the app (or a recovery code) raises the page's own
 * session to aal2 with `auth_time` now, the use case of `POST /api/v1/auth/mfa/step-up`; the
 * next sensitive form within five minutes goes through.
 */
export function stepUpForm(app: FastifyInstance, options: AppOptions, accountAction: AccountAction) {
  const { mfa } = options.useCases;
  if (mfa === undefined) return;
  app.post("/account/step-up", accountRoute, async (request, reply) =>
    accountAction(request, reply, "stepped_up", (session) =>
      mfa.stepUp(
        { sub: session.userId, sid: session.sessionId },
        {
          method: formField(request, "method") === "recovery_code" ? "recovery_code" : "totp",
          code: formField(request, "code"),
        },
        requestContext(request),
      ),
    ),
  );
}
