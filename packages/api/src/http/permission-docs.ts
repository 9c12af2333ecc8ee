import type { FastifySchema, RouteOptions } from "fastify";

/**
 * The @fastify/swagger transform that shows each route's declared permission and step-up
 * requirement in the OpenAPI document: lines opening the description, `x-required-permission`
 * and `x-required-acr` extensions and bearer security. It reads the same `config` the
 * permission and assurance hooks enforce, so documentation and enforcement cannot drift apart.
 */
export function requiredPermissionDocs({
  schema,
  url,
  route,
}: {
  schema: FastifySchema;
  url: string;
  route: RouteOptions;
}): { schema: FastifySchema; url: string } {
  const permission = route.config?.permission;
  const stepUp = stepUpLine(route.config?.requireAal, route.config?.maxAuthAge);
  if ((permission === undefined && stepUp === undefined) || schema === undefined) return { schema, url };
  const documented = schema as FastifySchema & { description?: string };
  const lines = [
    permission === undefined
      ? undefined
      : `**Required permission:** \`${permission}\` (a super_admin holds every permission).`,
    stepUp,
    documented.description,
  ].filter((line) => line !== undefined);
  return {
    url,
    schema: {
      ...documented,
      description: lines.join("\n\n"),
      security: [{ bearerAuth: [] }],
      ...(permission === undefined ? {} : { "x-required-permission": permission }),
      ...(stepUp === undefined ? {} : { "x-required-acr": "aal2" }),
    } as FastifySchema,
  };
}

/** The line telling a client of a step-up route what its token must carry (the assurance hook enforces it). */
function stepUpLine(requireAal: 2 | undefined, maxAuthAge: number | undefined): string | undefined {
  if (requireAal === undefined) return undefined;
  const age = maxAuthAge === undefined ? "" : `, proven within the last ${maxAuthAge} s (\`auth_time\`)`;
  return (
    `**Step-up:** when a second factor guards the caller's account, the token must be at \`acr\` aal2${age}; ` +
    "otherwise 401 INSUFFICIENT_USER_AUTHENTICATION with an RFC 9470 `WWW-Authenticate` challenge (raise the " +
    "session with POST /api/v1/auth/mfa/step-up)."
  );
}
