import type { FastifyInstance } from "fastify";
import type { AppOptions } from "../app-deps.js";
import { requestContext } from "../http/request-context.js";
import type { FirstFactorDone } from "./federated-pages.js";
import { credentialField } from "./form-fields.js";
import type { ReactivationOffer } from "./reactivate-pages.js";
import { jsonRefusal, type PageRenderer, refusalOf, renderPage } from "./render.js";

/** Both spend the sign-in's `auth` budget, like `POST /api/v1/auth/passkey/options` and `/login`. */
const authPost = { schema: { hide: true }, config: { rateLimit: "auth" } } as const;

/**
 * The passwordless "Sign in with a passkey" of /login (PASSKEY_LOGIN=true): the API's two use
 * cases behind pages.js's ceremony. The options carry no account (the browser offers its
 * discoverable passkeys); the assertion goes back in the form's hidden field and ends like any
 * first factor (`firstFactorDone`: the session cookie, or whatever MFA_POLICY asks for). Without
 * JavaScript or WebAuthn the button stays hidden and these routes are never called.
 */
export function passkeyLoginPages(
  app: FastifyInstance,
  options: AppOptions,
  renderer: PageRenderer,
  { firstFactorDone, reactivation }: { firstFactorDone: FirstFactorDone; reactivation: ReactivationOffer },
) {
  const passkeys = options.useCases.passkeyLogin;
  if (passkeys === undefined) return;

  // JSON for navigator.credentials.get; a refusal (the rate limit) answers the catalogue's text.
  app.post("/login/passkey-options", authPost, async (_request, reply) => {
    try {
      return await passkeys.passkeyLoginOptions();
    } catch (error) {
      return jsonRefusal(reply, refusalOf(error, renderer.messages));
    }
  });

  app.post("/login/passkey", authPost, async (request, reply) => {
    try {
      const result = await passkeys.logInWithPasskey(credentialField(request, "assertion"), requestContext(request));
      return await firstFactorDone(request, reply, result);
    } catch (error) {
      const offer = reactivation(request, reply, error, "");
      if (offer !== undefined) return offer;
      const { status, errors } = refusalOf(error, renderer.messages);
      return renderPage(renderer, request, reply, "login", { title: "Sign in", errors }, status);
    }
  });
}
