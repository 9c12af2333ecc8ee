import { isDomainError } from "@gatehouse/domain";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { AppOptions } from "../app-deps.js";
import { requestContext } from "../http/request-context.js";
import { formField } from "./form-fields.js";
import { type PageRenderer, refusalOf, renderPage } from "./render.js";

/** The reactivation page a sign-in refused with ACCOUNT_DEACTIVATED answers instead of /login's summary. */
export type ReactivationOffer = (
  request: FastifyRequest,
  reply: FastifyReply,
  error: unknown,
  email: string,
) => Promise<FastifyReply> | undefined;

/** Only the same-budget sign-in twin: the password guess spends the `auth` limit, like the API's. */
const authPost = { schema: { hide: true }, config: { rateLimit: "auth" } } as const;

/**
 * `/reactivate`: `POST /api/v1/auth/reactivate`'s use case behind a form, so a user who
 * deactivated their account brings it back with the password. It does not sign in (nor does
 * the API): the page sends the browser to `/login` with a notice. A sign-in shows this page
 * only after the password (or passkey) was proven, and the form answers an unknown address
 * and a wrong password alike, so it says nothing about an address to whoever lacks the password.
 */
export function reactivatePages(app: FastifyInstance, options: AppOptions, renderer: PageRenderer): ReactivationOffer {
  const { account } = options.useCases;
  const title = "Reactivate your account";

  app.get("/reactivate", { schema: { hide: true } }, async (request, reply) =>
    renderPage(renderer, request, reply, "reactivate", { title, deactivated: false }),
  );

  app.post("/reactivate", authPost, async (request, reply) => {
    const email = formField(request, "email");
    try {
      const result = await account.reactivateAccount(
        { email, password: formField(request, "password") },
        requestContext(request),
      );
      return reply.redirect(
        `/login?notice=${result.reactivated ? "account_reactivated" : "account_already_active"}`,
        303,
      );
    } catch (error) {
      const { status, errors } = refusalOf(error, renderer.messages);
      const view = { title, deactivated: false, errors, values: { email } };
      return renderPage(renderer, request, reply, "reactivate", view, status);
    }
  });

  return (request, reply, error, email) => {
    if (!isDomainError(error) || error.code !== "ACCOUNT_DEACTIVATED") return undefined;
    const view = { title: "Your account is deactivated", deactivated: true, values: { email } };
    return renderPage(renderer, request, reply, "reactivate", view, 403);
  };
}
