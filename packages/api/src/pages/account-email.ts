import { validationError } from "@gatehouse/domain";
import type { FastifyInstance, FastifyRequest } from "fastify";
import type { AppOptions } from "../app-deps.js";
import { requestContext } from "../http/request-context.js";
import { withinFloor } from "../http/response-floor.js";
import { type AccountAction, accountRoute, type SignedIn } from "./account-action.js";
import { formField, queryField } from "./form-fields.js";
import { requirePageStepUp } from "./page-step-up.js";
import { type PageRenderer, renderPage } from "./render.js";

/**
 * The account page's email change, in the API's two steps: the new address and the current
 * password (`PUT /api/v1/users/me`'s use case mails a code to the new address), then that code
 * (`POST /api/v1/users/me/email/verify`'s). The sign-in email changes only at the second step.
 */
export function accountEmailForms(
  app: FastifyInstance,
  options: AppOptions,
  { renderer, signedIn, accountAction }: { renderer: PageRenderer; signedIn: SignedIn; accountAction: AccountAction },
) {
  const { account } = options.useCases;

  // The mailed link lands here with `?token=`: only a button posting it, so a mail scanner
  // fetching the link changes nothing. The change is confirmed from the user's own session.
  app.get("/verify-email-change", accountRoute, async (request, reply) => {
    if ((await signedIn(request, reply, "sign_in_to_confirm_email")) === undefined) return reply;
    return renderPage(renderer, request, reply, "verify-email-change", {
      title: "Confirm your new email address",
      token: queryField(request, "token"),
    });
  });

  app.post("/account/email", accountRoute, async (request, reply) => {
    const email = formField(request, "email").trim();
    return accountAction(
      request,
      reply,
      "email_change_sent",
      // The API's floor: a code goes out only for a free address, and the answer time must not say which.
      async (session) => {
        await requirePageStepUp(options, session);
        return withinFloor(reply, options.responseFloors?.mailRequestsMs, async () => {
          const update = await account.updateProfile(
            session.userId,
            { email, currentPassword: formField(request, "current_password") },
            requestContext(request),
          );
          // Nothing was sent: the address is the one the account already signs in with.
          if (update.pendingEmail === null) {
            throw validationError([{ field: "email", message: "is the one you already sign in with" }]);
          }
        });
      },
      { refusal: { values: { email } } },
    );
  });

  app.post("/account/email/verify", accountRoute, async (request, reply) =>
    accountAction(
      request,
      reply,
      "email_changed",
      (session) => account.confirmEmailChange(session.userId, confirmation(request), requestContext(request)),
      { refusal: { codeStep: true } },
    ),
  );
}

/** The link's token when the form carries one (the link's page), else the typed code. */
function confirmation(request: FastifyRequest): { token: string } | { code: string } {
  const token = formField(request, "token");
  return token !== "" ? { token } : { code: formField(request, "code").trim() };
}
