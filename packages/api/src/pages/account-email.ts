import { validationError } from "@gatehouse/domain";
import type { FastifyInstance } from "fastify";
import type { AppOptions } from "../app-deps.js";
import { requestContext } from "../http/request-context.js";
import { withinFloor } from "../http/response-floor.js";
import { type AccountAction, accountRoute } from "./account-action.js";
import { formField } from "./form-fields.js";

/**
 * The account page's email change, in the API's two steps: the new address and the current
 * password (`PUT /api/v1/users/me`'s use case mails a code to the new address), then that code
 * (`POST /api/v1/users/me/email/verify`'s). The sign-in email changes only at the second step.
 */
export function accountEmailForms(app: FastifyInstance, options: AppOptions, accountAction: AccountAction) {
  const { account } = options.useCases;

  app.post("/account/email", accountRoute, async (request, reply) => {
    const email = formField(request, "email").trim();
    return accountAction(
      request,
      reply,
      "email_change_sent",
      // The API's floor: a code goes out only for a free address, and the answer time must not say which.
      (session) =>
        withinFloor(reply, options.responseFloors?.mailRequestsMs, async () => {
          const update = await account.updateProfile(
            session.userId,
            { email, currentPassword: formField(request, "current_password") },
            requestContext(request),
          );
          // Nothing was sent: the address is the one the account already signs in with.
          if (update.pendingEmail === null) {
            throw validationError([{ field: "email", message: "is the one you already sign in with" }]);
          }
        }),
      { refusal: { values: { email } } },
    );
  });

  app.post("/account/email/verify", accountRoute, async (request, reply) =>
    accountAction(
      request,
      reply,
      "email_changed",
      (session) =>
        account.confirmEmailChange(
          session.userId,
          { code: formField(request, "code").trim() },
          requestContext(request),
        ),
      { refusal: { codeStep: true } },
    ),
  );
}
