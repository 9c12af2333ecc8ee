import { Type } from "typebox";
import { SENSITIVE } from "../../http/assurance-hook.js";
import { actorOf } from "../../http/permission-hook.js";
import { requestContext } from "../../http/request-context.js";
import { done, Envelope, errorResponses, MessageOnly, ok } from "../../schemas/envelope.js";
import {
  CreateRoleBody,
  DeleteRoleQuery,
  IdParams,
  PermissionIdsBody,
  RoleData,
  RolePermissionParams,
  UpdateRoleBody,
} from "../../schemas/rbac-schemas.js";
import { roleResponse } from "../responses.js";
import { type RoutesPlugin, bearer as security } from "../routes-plugin.js";

const roleTags = ["admin: roles"];
const guarded = (...statuses: number[]) => errorResponses(400, 401, 403, ...statuses);

/** /api/v1/admin/roles: roles and the permissions they grant. */
export const roleRoutes: RoutesPlugin = async (app, { options }) => {
  const { rbac } = options.useCases;

  app.get(
    "/api/v1/admin/roles",
    {
      config: { permission: "roles:read" },
      schema: {
        tags: roleTags,
        summary: "List roles",
        description: "Every role with its permissions and the number of live users holding it.",
        operationId: "listRoles",
        security,
        response: { 200: Envelope(Type.Array(RoleData)), ...errorResponses(401, 403) },
      },
    },
    async () => ok((await rbac.listRoles()).map(roleResponse)),
  );

  app.post(
    "/api/v1/admin/roles",
    {
      config: { permission: "roles:write" },
      schema: {
        tags: roleTags,
        summary: "Create a role",
        description: "A new role without permissions; grant them with POST /api/v1/admin/roles/{id}/permissions.",
        operationId: "createRole",
        security,
        body: CreateRoleBody,
        response: { 201: Envelope(RoleData), ...guarded(409, 413, 415) },
      },
    },
    async (request, reply) => {
      const role = await rbac.createRole(actorOf(request), request.body, requestContext(request));
      return reply.code(201).send(ok(roleResponse(role), "Role created"));
    },
  );

  app.put(
    "/api/v1/admin/roles/:id",
    {
      config: { permission: "roles:write" },
      schema: {
        tags: roleTags,
        summary: "Rename or re-describe a role",
        description: "Fields left out are kept. System roles answer 422 CANNOT_MODIFY_SYSTEM_ROLE.",
        operationId: "updateRole",
        security,
        params: IdParams,
        body: UpdateRoleBody,
        response: { 200: Envelope(RoleData), ...guarded(404, 409, 413, 415, 422) },
      },
    },
    async (request) => {
      const role = await rbac.updateRole(actorOf(request), request.params.id, request.body, requestContext(request));
      return ok(roleResponse(role), "Role updated");
    },
  );

  app.delete(
    "/api/v1/admin/roles/:id",
    {
      config: { permission: "roles:delete" },
      schema: {
        tags: roleTags,
        summary: "Delete a role",
        description:
          "System roles answer 422 CANNOT_DELETE_SYSTEM_ROLE. A role live users still hold answers 409 " +
          "ROLE_IN_USE (details.user_count) unless `?force=true`, which unassigns it from them first.",
        operationId: "deleteRole",
        security,
        params: IdParams,
        querystring: DeleteRoleQuery,
        response: { 200: MessageOnly, ...guarded(404, 409, 422) },
      },
    },
    async (request) => {
      await rbac.deleteRole(
        actorOf(request),
        request.params.id,
        { force: request.query.force === "true" },
        requestContext(request),
      );
      return done("Role deleted");
    },
  );

  app.post(
    "/api/v1/admin/roles/:id/permissions",
    {
      config: { permission: "roles:write", ...SENSITIVE },
      schema: {
        tags: roleTags,
        summary: "Grant permissions to a role",
        description:
          "Already granted ones are kept. You can only grant permissions you hold (403 PRIVILEGE_ESCALATION); " +
          "system roles answer 422 CANNOT_MODIFY_SYSTEM_ROLE. Holders get them on their next request.",
        operationId: "grantRolePermissions",
        security,
        params: IdParams,
        body: PermissionIdsBody,
        response: { 200: Envelope(RoleData), ...guarded(404, 413, 415, 422) },
      },
    },
    async (request) => {
      const role = await rbac.grantRolePermissions(
        actorOf(request),
        request.params.id,
        request.body.permission_ids,
        requestContext(request),
      );
      return ok(roleResponse(role), "Permissions granted");
    },
  );

  app.delete(
    "/api/v1/admin/roles/:id/permissions/:permission_id",
    {
      config: { permission: "roles:write", ...SENSITIVE },
      schema: {
        tags: roleTags,
        summary: "Remove a permission from a role",
        description: "404 PERMISSION_NOT_FOUND when the role does not hold it. Holders lose it on their next request.",
        operationId: "revokeRolePermission",
        security,
        params: RolePermissionParams,
        response: { 200: Envelope(RoleData), ...guarded(404, 422) },
      },
    },
    async (request) => {
      const role = await rbac.revokeRolePermission(
        actorOf(request),
        request.params.id,
        request.params.permission_id,
        requestContext(request),
      );
      return ok(roleResponse(role), "Permission removed");
    },
  );
};
