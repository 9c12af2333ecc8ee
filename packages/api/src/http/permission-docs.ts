import type { FastifySchema, RouteOptions } from "fastify";

/**
 * The @fastify/swagger transform that shows each route's declared permission in the OpenAPI
 * document: a line opening the description, an `x-required-permission` extension
 * and bearer security. It reads the same `config.permission` the permission hook enforces,
 * so documentation and enforcement cannot drift apart.
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
  if (permission === undefined || schema === undefined) return { schema, url };
  const documented = schema as FastifySchema & { description?: string };
  const line = `**Required permission:** \`${permission}\` (a super_admin holds every permission).`;
  return {
    url,
    schema: {
      ...documented,
      description: documented.description === undefined ? line : `${line}\n\n${documented.description}`,
      security: [{ bearerAuth: [] }],
      "x-required-permission": permission,
    } as FastifySchema,
  };
}
