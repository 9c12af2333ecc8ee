import { Type } from "typebox";
import { errorResponses } from "../schemas/envelope.js";
import type { RoutesPlugin } from "./routes-plugin.js";

const Jwk = Type.Object({}, { additionalProperties: true });
// Other services fetch these on start and on an unknown kid; five minutes keeps a rotation's new
// key visible to them well inside the time the old key still verifies.
const CACHE_CONTROL = "public, max-age=300";

/**
 * `/.well-known/jwks.json` (the public halves of the keys that verify access tokens, never a
 * private part nor an HS256 secret) and a minimal `/.well-known/openid-configuration` naming the
 * issuer, the JWKS and the algorithm. Gatehouse is not an OpenID provider: no authorization or
 * token endpoint is advertised, only what lets a resource server verify its tokens.
 */
export const wellKnownRoutes: RoutesPlugin = async (app, { options }) => {
  const keys = options.tokenKeys;
  if (keys === undefined) return;
  app.get(
    "/.well-known/jwks.json",
    {
      schema: {
        tags: ["well-known"],
        summary: "Public keys that verify access tokens (JWK Set)",
        operationId: "readJwks",
        response: { 200: Type.Object({ keys: Type.Array(Jwk) }), ...errorResponses() },
      },
    },
    async (_request, reply) => {
      void reply.header("cache-control", CACHE_CONTROL);
      return { keys: [...keys.publicJwks()] };
    },
  );
  app.get(
    "/.well-known/openid-configuration",
    {
      schema: {
        tags: ["well-known"],
        summary: "Issuer and JWKS location (token verification only; not a full OpenID provider)",
        operationId: "readOpenidConfiguration",
        response: {
          200: Type.Object({
            issuer: Type.String(),
            jwks_uri: Type.String(),
            id_token_signing_alg_values_supported: Type.Array(Type.String()),
            access_token_signing_alg_values_supported: Type.Array(Type.String()),
          }),
          ...errorResponses(),
        },
      },
    },
    async (_request, reply) => {
      void reply.header("cache-control", CACHE_CONTROL);
      return {
        issuer: keys.issuer,
        jwks_uri: `${keys.publicBaseUrl}/.well-known/jwks.json`,
        id_token_signing_alg_values_supported: [],
        // After switching algorithms, tokens of the old one verify until its key retires: list both.
        access_token_signing_alg_values_supported: [
          ...new Set([keys.algorithm, ...keys.publicJwks().map((jwk) => String(jwk.alg))]),
        ],
      };
    },
  );
};
