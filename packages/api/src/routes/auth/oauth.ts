import type { FastifyRequest } from "fastify";
import { Type } from "typebox";
import { requestContext } from "../../http/request-context.js";
import { presentedLinkBinding } from "../../pages/link-binding.js";
import { Envelope, errorResponses, ok } from "../../schemas/envelope.js";
import { MfaChallengeData } from "../../schemas/mfa-schemas.js";
import { LoginData } from "../../schemas/user-schemas.js";
import { signInResponse } from "../responses.js";
import type { RoutesPlugin } from "../routes-plugin.js";

const tags = ["auth"];

const Provider = Type.String({
  pattern: "^[a-z][a-z0-9]{0,31}$",
  description: "An enabled provider (OAUTH_PROVIDERS)",
});

const StartQuery = Type.Object(
  {
    redirect_uri: Type.String({ minLength: 1, maxLength: 2048, description: "App URL on OAUTH_ALLOWED_REDIRECT_URIS" }),
    state: Type.Optional(Type.String({ maxLength: 512, description: "The app's own state, handed back" })),
    code_challenge: Type.Optional(
      Type.String({ description: "The app's PKCE S256 challenge; the one-time code then needs its verifier" }),
    ),
    code_challenge_method: Type.Optional(Type.Literal("S256")),
  },
  { additionalProperties: false },
);

// Providers add parameters of their own (iss, scope, authuser…), so the callback takes any.
const CallbackQuery = Type.Object(
  {
    code: Type.Optional(Type.String()),
    state: Type.Optional(Type.String()),
    error: Type.Optional(Type.String()),
  },
  { additionalProperties: true },
);

const Redirect = (description: string) => ({ description, type: "null" });

const TokenBody = Type.Object(
  {
    code: Type.String({ minLength: 1, maxLength: 512 }),
    code_verifier: Type.Optional(Type.String({ minLength: 43, maxLength: 128 })),
  },
  { additionalProperties: false },
);

function queryOf(request: FastifyRequest): URLSearchParams {
  const url = request.raw.url ?? "";
  const at = url.indexOf("?");
  return new URLSearchParams(at === -1 ? "" : url.slice(at + 1));
}

/**
 * Federated login (README "Social login"): start, the provider's callback (and the unversioned
 * callback alias, which finds the provider from the state), and the one-time code exchange.
 */
export const oauthRoutes: RoutesPlugin = async (app, { options }) => {
  const federation = options.useCases.federation;
  // A link the hosted account page started must end in the browser that holds its binding cookie.
  const bindingOf = (request: FastifyRequest) => {
    const browserBinding = presentedLinkBinding(request, options);
    return browserBinding === undefined ? {} : { browserBinding };
  };
  if (federation === undefined) return;

  for (const path of ["/api/v1/auth/oauth/:provider", "/api/auth/oauth/:provider"]) {
    app.get(
      path,
      {
        config: { rateLimit: "auth" },
        schema: {
          tags,
          summary: "Start signing in with a provider",
          description:
            "302 to the provider with state, PKCE S256 and (OpenID Connect) a nonce. The redirect_uri must be " +
            "on the allow-list; it is refused before the provider is contacted.",
          operationId: path.startsWith("/api/v1") ? "oauthStart" : "oauthStartAlias",
          params: Type.Object({ provider: Provider }),
          querystring: StartQuery,
          response: { 302: Redirect("To the provider's authorization page"), ...errorResponses(400, 404, 429) },
        },
      },
      async (request, reply) => {
        const url = await federation.startFederatedLogin({
          provider: request.params.provider,
          redirectUri: request.query.redirect_uri,
          ...(request.query.state === undefined ? {} : { appState: request.query.state }),
          ...(request.query.code_challenge === undefined ? {} : { codeChallenge: request.query.code_challenge }),
        });
        return reply.header("cache-control", "no-store").redirect(url.href, 302);
      },
    );
  }

  const callbackSchema = (operationId: string, withProvider: boolean) => ({
    tags,
    summary: "The provider's redirect back",
    description:
      "Consumes the state, exchanges the code, validates the ID token and resolves the user, then 302s to " +
      "the app's redirect_uri with `code` (one-time, 60 s) or `error`, and the app's `state`. A missing, " +
      "unknown, expired or replayed state answers 400 OAUTH_STATE_INVALID.",
    operationId,
    ...(withProvider ? { params: Type.Object({ provider: Provider }) } : {}),
    querystring: CallbackQuery,
    response: { 302: Redirect("To the app, with code or error"), ...errorResponses(400, 429) },
  });

  app.get(
    "/api/v1/auth/oauth/:provider/callback",
    {
      config: { rateLimit: "auth" },
      schema: { ...callbackSchema("oauthCallback", false), params: Type.Object({ provider: Provider }) },
    },
    async (request, reply) => {
      const url = await federation.completeFederatedLogin(
        { provider: request.params.provider, query: queryOf(request), ...bindingOf(request) },
        requestContext(request),
      );
      return reply.header("cache-control", "no-store").redirect(url.href, 302);
    },
  );

  app.get(
    "/api/auth/oauth/callback",
    { config: { rateLimit: "auth" }, schema: callbackSchema("oauthCallbackAlias", false) },
    async (request, reply) => {
      const url = await federation.completeFederatedLogin(
        { query: queryOf(request), ...bindingOf(request) },
        requestContext(request),
      );
      return reply.header("cache-control", "no-store").redirect(url.href, 302);
    },
  );

  app.post(
    "/api/v1/auth/oauth/token",
    {
      config: { rateLimit: "auth" },
      schema: {
        tags,
        summary: "Exchange a one-time sign-in code for tokens",
        description:
          "The code from the app's redirect, single use, 60 s; with the PKCE verifier when the app sent a " +
          "challenge. Unknown, reused, expired and wrong-verifier codes answer 400 OAUTH_CODE_INVALID alike.",
        operationId: "oauthToken",
        body: TokenBody,
        response: {
          200: Envelope(Type.Union([LoginData, MfaChallengeData])),
          ...errorResponses(400, 403, 413, 415, 429),
        },
      },
    },
    async (request) => {
      const result = await federation.exchangeHandoffCode(
        {
          code: request.body.code,
          ...(request.body.code_verifier === undefined ? {} : { codeVerifier: request.body.code_verifier }),
        },
        requestContext(request),
      );
      return ok(signInResponse(result), "mfaRequired" in result ? "Second factor required" : "Login successful");
    },
  );
};
