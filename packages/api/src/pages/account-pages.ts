import type { PageSession } from "@gatehouse/application";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { AppOptions } from "../app-deps.js";
import { requestContext } from "../http/request-context.js";
import { type AccountAction, type AccountOutcome, accountRoute, type SignedIn } from "./account-action.js";
import { accountClosingForms } from "./account-closing.js";
import { accountEmailForms } from "./account-email.js";
import { accountIdentityForms, linkableProviders } from "./account-identities.js";
import { shortTime } from "./admin/admin-guard.js";
import { formField, queryField } from "./form-fields.js";
import { isNoticeKey } from "./messages.js";
import { currentPageSession, type PageCookies, requirePageSession, sendToLogin } from "./page-session-cookie.js";
import { needsPageStepUp, requirePageStepUp, stepUpForm } from "./page-step-up.js";
import { type PageRenderer, refusalOf, renderPage } from "./render.js";

/**
 * `/account` (profile, email, password, sessions, linked accounts, deactivation and deletion)
 * and its forms, and `/logout`. Every request first resolves the cookie's session: one that
 * ended anywhere (sign-out elsewhere, suspension, password change, revoke) sends the browser
 * to `/login` on its next action.
 */
export function accountPages(app: FastifyInstance, options: AppOptions, renderer: PageRenderer, cookies: PageCookies) {
  const { account, auth, identities } = options.useCases;
  const { messages } = renderer;

  const signedIn: SignedIn = (request, reply, notice) => requirePageSession(request, reply, cookies, notice);

  async function accountPage(
    request: FastifyRequest,
    reply: FastifyReply,
    session: PageSession,
    outcome: AccountOutcome = {},
  ) {
    const current = await account.getCurrentUser(session.userId);
    const sessions = await account.listSessions(session.userId, session.sessionId);
    const linked = identities === undefined ? undefined : await identities.listIdentities(session.userId);
    const view = {
      title: "Your account",
      user: current.user,
      sessions: sessions.map((item) => ({
        id: item.id,
        current: item.current,
        userAgent: item.userAgent ?? "Unknown device",
        lastUsed: shortTime(item.lastUsedAt),
      })),
      // Undefined: identities are not wired, so the page has no linked-accounts section.
      identities: linked?.map((identity) => ({
        id: identity.id,
        provider: identity.provider,
        email: identity.email ?? "no email address",
        linked: shortTime(identity.createdAt),
      })),
      linkable: linkableProviders(options, renderer.brand, linked),
      codeStep: outcome.codeStep === true || outcome.notice === "email_change_sent",
      stepUp: await needsPageStepUp(options, session),
      ...(outcome.notice === undefined ? {} : { notice: outcome.notice }),
      ...(outcome.errors === undefined ? {} : { errors: outcome.errors }),
      ...(outcome.values === undefined ? {} : { values: outcome.values }),
    };
    return renderPage(renderer, request, reply, "account", view, outcome.status ?? 200);
  }

  const accountAction: AccountAction = async (request, reply, notice, work, { signsOut, refusal, answer } = {}) => {
    const session = await signedIn(request, reply);
    if (session === undefined) return reply;
    try {
      await work(session);
    } catch (error) {
      const { status, errors } = refusalOf(error, messages);
      // A refusal saying the account is gone or blocked ends the page session too.
      if (errorIsBlocked(error) || (error as { code?: unknown }).code === "UNAUTHORIZED") {
        return sendToLogin(reply, cookies);
      }
      return accountPage(request, reply, session, { ...refusal, errors, status });
    }
    if (signsOut === true) {
      // The use case ended every session of the account, this one included.
      return sendToLogin(reply, cookies, notice);
    }
    if (answer !== undefined) return answer();
    return reply.redirect(`/account?notice=${notice}`, 303);
  };

  app.get("/account", accountRoute, async (request, reply) => {
    const session = await signedIn(request, reply);
    if (session === undefined) return reply;
    const notice = queryField(request, "notice");
    try {
      return await accountPage(request, reply, session, isNoticeKey(messages, notice) ? { notice } : {});
    } catch (error) {
      if (!errorIsBlocked(error) && (error as { code?: unknown }).code !== "UNAUTHORIZED") throw error;
      return sendToLogin(reply, cookies);
    }
  });

  app.post("/account/profile", accountRoute, async (request, reply) =>
    accountAction(request, reply, "profile_saved", (session) => {
      const fullName = formField(request, "full_name").trim();
      return account.updateProfile(
        session.userId,
        { fullName: fullName === "" ? null : fullName },
        requestContext(request),
      );
    }),
  );

  app.post("/account/password", accountRoute, async (request, reply) =>
    accountAction(request, reply, "password_changed", async (session) => {
      await requirePageStepUp(options, session);
      return account.changePassword(
        {
          userId: session.userId,
          sessionId: session.sessionId,
          currentPassword: formField(request, "current_password"),
          newPassword: formField(request, "new_password"),
          signOutOtherSessions: true,
        },
        requestContext(request),
      );
    }),
  );

  app.post("/account/sessions/revoke", accountRoute, async (request, reply) => {
    const target = formField(request, "session_id");
    const session = currentPageSession(request);
    if (session !== undefined && target === session.sessionId) {
      await account.revokeSession(
        { userId: session.userId, currentSessionId: session.sessionId, sessionId: target },
        requestContext(request),
      );
      return sendToLogin(reply, cookies, "signed_out");
    }
    return accountAction(request, reply, "session_revoked", (current) =>
      account.revokeSession(
        { userId: current.userId, currentSessionId: current.sessionId, sessionId: target },
        requestContext(request),
      ),
    );
  });

  accountEmailForms(app, options, { renderer, signedIn, accountAction });
  accountIdentityForms(app, options, { renderer, accountAction });
  accountClosingForms(app, options, accountAction);
  stepUpForm(app, options, accountAction);

  app.post("/logout", accountRoute, async (request, reply) => {
    const session = currentPageSession(request);
    if (session !== undefined) {
      await auth.logOut(
        { userId: session.userId, sessionId: session.sessionId, allDevices: formField(request, "all") === "1" },
        requestContext(request),
      );
    }
    return sendToLogin(reply, cookies, "signed_out");
  });
}

const BLOCKED = new Set([
  "ACCOUNT_SUSPENDED",
  "ACCOUNT_DEACTIVATED",
  "ACCOUNT_PENDING_APPROVAL",
  "ACCOUNT_NOT_VERIFIED",
]);

function errorIsBlocked(error: unknown): boolean {
  return BLOCKED.has((error as { code?: unknown }).code as string);
}
