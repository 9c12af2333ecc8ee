import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { Type } from "typebox";
import type { AppOptions } from "../../app-deps.js";
import { requestContext } from "../../http/request-context.js";
import { IdParams, RolePermissionParams, Uuid } from "../../schemas/rbac-schemas.js";
import { formField, queryField } from "../form-fields.js";
import { isNoticeKey, type NoticeKey } from "../messages.js";
import { type PageError, type PageRenderer, refusalOf, renderPage } from "../render.js";
import { adminRoute, type RequireOperator } from "./admin-guard.js";

// The permission comes from the page's select; anything but an id is a 400 before any use case.
const GrantForm = Type.Object({ _csrf: Type.String(), permission_id: Uuid });

/**
 * `/admin/roles`: every role with its permissions and holders (`listRoles`, as GET
 * /api/v1/admin/roles), and the two edits the API allows on a role's permissions: grant one
 * (`grantRolePermissions`) and revoke one (`revokeRolePermission`), both under roles:write.
 */
export function adminRoles(
  app: FastifyInstance,
  options: AppOptions,
  renderer: PageRenderer,
  requireOperator: RequireOperator,
) {
  const { rbac } = options.useCases;

  async function rolesPage(
    request: FastifyRequest,
    reply: FastifyReply,
    outcome: { notice?: NoticeKey; errors?: PageError[]; status?: number } = {},
  ) {
    const roles = await rbac.listRoles();
    const permissions = await rbac.listPermissions();
    return renderPage(
      renderer,
      request,
      reply,
      "admin/roles",
      {
        title: "Roles and permissions",
        section: "roles",
        roles: roles.map((role) => ({
          id: role.id,
          name: role.name,
          description: role.description ?? "",
          userCount: role.userCount,
          permissions: role.permissions.map((permission) => ({ id: permission.id, name: permission.name })),
          grantable: permissions
            .filter((permission) => !role.permissions.some((held) => held.id === permission.id))
            .map((permission) => ({ id: permission.id, name: permission.name })),
        })),
        ...(outcome.notice === undefined ? {} : { notice: outcome.notice }),
        ...(outcome.errors === undefined ? {} : { errors: outcome.errors }),
      },
      outcome.status ?? 200,
    );
  }

  app.get("/admin/roles", adminRoute, async (request, reply) => {
    if ((await requireOperator(request, reply, "roles:read")) === undefined) return reply;
    const notice = queryField(request, "notice");
    return rolesPage(request, reply, isNoticeKey(renderer.messages, notice) ? { notice } : {});
  });

  app.post<{ Params: { id: string } }>(
    "/admin/roles/:id/permissions",
    { ...adminRoute, schema: { hide: true, params: IdParams, body: GrantForm } },
    async (request, reply) => {
      const actor = await requireOperator(request, reply, "roles:write");
      if (actor === undefined) return reply;
      try {
        const permissionId = formField(request, "permission_id");
        await rbac.grantRolePermissions(actor, request.params.id, [permissionId], requestContext(request));
      } catch (error) {
        return rolesPage(request, reply, refusalOf(error, renderer.messages));
      }
      return reply.redirect("/admin/roles?notice=permission_granted", 303);
    },
  );

  app.post<{ Params: { id: string; permission_id: string } }>(
    "/admin/roles/:id/permissions/:permission_id/revoke",
    { ...adminRoute, schema: { hide: true, params: RolePermissionParams } },
    async (request, reply) => {
      const actor = await requireOperator(request, reply, "roles:write");
      if (actor === undefined) return reply;
      const { id, permission_id } = request.params;
      try {
        await rbac.revokeRolePermission(actor, id, permission_id, requestContext(request));
      } catch (error) {
        return rolesPage(request, reply, refusalOf(error, renderer.messages));
      }
      return reply.redirect("/admin/roles?notice=permission_revoked", 303);
    },
  );
}
