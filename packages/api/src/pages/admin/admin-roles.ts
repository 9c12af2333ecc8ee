import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { Type } from "typebox";
import type { AppOptions } from "../../app-deps.js";
import { requestContext } from "../../http/request-context.js";
import { IdParams, RolePermissionParams, Uuid } from "../../schemas/rbac-schemas.js";
import { formField, queryField } from "../form-fields.js";
import { isNoticeKey } from "../messages.js";
import { type PageRenderer, refusalOf, renderPage } from "../render.js";
import { adminRoute, type ConsoleOutcome, type RequireOperator } from "./admin-guard.js";

// The permission comes from the page's select; anything but an id is a 400 before any use case.
const GrantForm = Type.Object({ _csrf: Type.String(), permission_id: Uuid });

/** A form's description: blank is no description (null), as the API's `description: null`. */
export function descriptionField(request: FastifyRequest): string | null {
  const description = formField(request, "description").trim();
  return description === "" ? null : description;
}

/**
 * `/admin/roles`: every role with its permissions and holders (`listRoles`, as GET
 * /api/v1/admin/roles), a new role (`createRole`, as POST /api/v1/admin/roles), and the two
 * edits the API allows on a role's permissions: grant one (`grantRolePermissions`) and revoke
 * one (`revokeRolePermission`), all under roles:write. Renaming and deleting: admin-role-edit.ts.
 */
export function adminRoles(
  app: FastifyInstance,
  options: AppOptions,
  renderer: PageRenderer,
  requireOperator: RequireOperator,
) {
  const { rbac } = options.useCases;

  async function rolesPage(request: FastifyRequest, reply: FastifyReply, outcome: ConsoleOutcome = {}) {
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
          system: role.isSystem,
          userCount: role.userCount,
          permissions: role.permissions.map((permission) => ({ id: permission.id, name: permission.name })),
          grantable: permissions
            .filter((permission) => !role.permissions.some((held) => held.id === permission.id))
            .map((permission) => ({ id: permission.id, name: permission.name })),
        })),
        ...(outcome.notice === undefined ? {} : { notice: outcome.notice }),
        ...(outcome.errors === undefined ? {} : { errors: outcome.errors }),
        ...(outcome.values === undefined ? {} : { values: outcome.values }),
      },
      outcome.status ?? 200,
    );
  }

  app.get("/admin/roles", adminRoute, async (request, reply) => {
    if ((await requireOperator(request, reply, "roles:read")) === undefined) return reply;
    const notice = queryField(request, "notice");
    return rolesPage(request, reply, isNoticeKey(renderer.messages, notice) ? { notice } : {});
  });

  app.post("/admin/roles", adminRoute, async (request, reply) => {
    const actor = await requireOperator(request, reply, "roles:write");
    if (actor === undefined) return reply;
    const name = formField(request, "name").trim();
    const description = descriptionField(request);
    try {
      await rbac.createRole(actor, { name, description }, requestContext(request));
    } catch (error) {
      return rolesPage(request, reply, {
        ...refusalOf(error, renderer.messages),
        values: { name, description: description ?? "" },
      });
    }
    return reply.redirect("/admin/roles?notice=role_created", 303);
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
