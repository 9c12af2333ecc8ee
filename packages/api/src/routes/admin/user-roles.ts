import { SENSITIVE } from "../../http/assurance-hook.js";
import { actorOf } from "../../http/permission-hook.js";
import { requestContext } from "../../http/request-context.js";
import { Envelope, errorResponses, ok } from "../../schemas/envelope.js";
import { AssignRolesBody, IdParams, UserRoleParams, UserRolesData } from "../../schemas/rbac-schemas.js";
import { userRolesResponse } from "../responses.js";
import { type RoutesPlugin, bearer as security } from "../routes-plugin.js";

const tags = ["admin: users"];

/** /api/v1/admin/users/{id}/roles: a user's role assignments. */
export const userRoleRoutes: RoutesPlugin = async (app, { options }) => {
  const { rbac } = options.useCases;

  app.post(
    "/api/v1/admin/users/:id/roles",
    {
      config: { permission: "roles:write", ...SENSITIVE },
      schema: {
        tags,
        summary: "Assign roles to a user",
        description:
          "By `role_ids` or `role_names`; roles the user holds already are kept. Only a super_admin grants " +
          "super_admin, and nobody grants a role holding a permission they lack (403 PRIVILEGE_ESCALATION). " +
          "Applies on the user's next request.",
        operationId: "assignUserRoles",
        security,
        params: IdParams,
        body: AssignRolesBody,
        response: { 200: Envelope(UserRolesData), ...errorResponses(400, 401, 403, 404, 413, 415) },
      },
    },
    async (request) => {
      const body = request.body;
      const selector = "role_ids" in body ? { ids: body.role_ids } : { names: body.role_names };
      const result = await rbac.assignUserRoles(actorOf(request), request.params.id, selector, requestContext(request));
      return ok(userRolesResponse(result), "Roles assigned");
    },
  );

  app.delete(
    "/api/v1/admin/users/:id/roles/:role_id",
    {
      config: { permission: "roles:write", ...SENSITIVE },
      schema: {
        tags,
        summary: "Remove a role from a user",
        description:
          "Only a super_admin removes super_admin, never from the last one (422 LAST_SUPER_ADMIN). Nobody " +
          "removes roles from a user holding a permission they lack (403 PRIVILEGE_ESCALATION). 404 ROLE_NOT_FOUND when the user does not hold the role. Applies on the user's next request.",
        operationId: "unassignUserRole",
        security,
        params: UserRoleParams,
        response: { 200: Envelope(UserRolesData), ...errorResponses(400, 401, 403, 404, 422) },
      },
    },
    async (request) => {
      const { id, role_id } = request.params;
      const result = await rbac.unassignUserRole(actorOf(request), id, role_id, requestContext(request));
      return ok(userRolesResponse(result), "Role removed");
    },
  );
};
