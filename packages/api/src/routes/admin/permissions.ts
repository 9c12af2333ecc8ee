import { Type } from "typebox";
import { actorOf } from "../../http/permission-hook.js";
import { requestContext } from "../../http/request-context.js";
import { Envelope, errorResponses, ok } from "../../schemas/envelope.js";
import { CreatePermissionBody, PermissionData } from "../../schemas/rbac-schemas.js";
import { permissionResponse } from "../responses.js";
import { type RoutesPlugin, bearer as security } from "../routes-plugin.js";

const permissionTags = ["admin: permissions"];

/** /api/v1/admin/permissions: the permission catalogue. */
export const permissionRoutes: RoutesPlugin = async (app, { options }) => {
  const { rbac } = options.useCases;

  app.get(
    "/api/v1/admin/permissions",
    {
      config: { permission: "permissions:read" },
      schema: {
        tags: permissionTags,
        summary: "List permissions",
        operationId: "listPermissions",
        security,
        response: { 200: Envelope(Type.Array(PermissionData)), ...errorResponses(401, 403) },
      },
    },
    async () => ok((await rbac.listPermissions()).map(permissionResponse)),
  );

  app.post(
    "/api/v1/admin/permissions",
    {
      config: { permission: "permissions:write" },
      schema: {
        tags: permissionTags,
        summary: "Create a permission",
        description: "Named `resource:action`; 409 DUPLICATE_PERMISSION when it exists.",
        operationId: "createPermission",
        security,
        body: CreatePermissionBody,
        response: { 201: Envelope(PermissionData), ...errorResponses(400, 401, 403, 409, 413, 415) },
      },
    },
    async (request, reply) => {
      const permission = await rbac.createPermission(actorOf(request), request.body, requestContext(request));
      return reply.code(201).send(ok(permissionResponse(permission), "Permission created"));
    },
  );
};
