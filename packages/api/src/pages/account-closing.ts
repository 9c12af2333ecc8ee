import { validationError } from "@gatehouse/domain";
import type { FastifyInstance } from "fastify";
import type { AppOptions } from "../app-deps.js";
import { requestContext } from "../http/request-context.js";
import { type AccountAction, accountRoute } from "./account-action.js";
import { formField } from "./form-fields.js";
import { requirePageStepUp } from "./page-step-up.js";

/**
 * Deactivating and deleting one's own account: the use cases of `POST /api/v1/users/me/deactivate`
 * and `DELETE /api/v1/users/me`, each proving the password. Both end every session, so the page
 * session ends and the browser lands on `/login` with the notice.
 */
export function accountClosingForms(app: FastifyInstance, options: AppOptions, accountAction: AccountAction) {
  const { account } = options.useCases;

  app.post("/account/deactivate", accountRoute, async (request, reply) =>
    accountAction(
      request,
      reply,
      "account_deactivated",
      (session) =>
        account.deactivateAccount(
          { userId: session.userId, password: formField(request, "password") },
          requestContext(request),
        ),
      { signsOut: true },
    ),
  );

  app.post("/account/delete", accountRoute, async (request, reply) =>
    accountAction(
      request,
      reply,
      "account_deleted",
      async (session) => {
        // The explicit confirmation step the page adds on top of the password the API asks for.
        if (formField(request, "confirm") !== "yes") {
          throw validationError([{ field: "delete_confirm", message: "must be ticked to delete the account" }]);
        }
        await requirePageStepUp(options, session);
        return account.deleteAccount(
          { userId: session.userId, password: formField(request, "password") },
          requestContext(request),
        );
      },
      { signsOut: true },
    ),
  );
}
