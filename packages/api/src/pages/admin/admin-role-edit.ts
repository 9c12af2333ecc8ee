import { DomainError } from "@gatehouse/domain";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { AppOptions } from "../../app-deps.js";
import { requestContext } from "../../http/request-context.js";
import { IdParams } from "../../schemas/rbac-schemas.js";
import { formField } from "../form-fields.js";
import { type PageRenderer, refusalOf, renderPage } from "../render.js";
import { adminRoute, type ConsoleOutcome, type RequireOperator } from "./admin-guard.js";
import { descriptionField } from "./admin-roles.js";

type Params = { Params: { id: string } };
const withId = { ...adminRoute, schema: { hide: true, params: IdParams } } as const;

/**
 * `/admin/roles/:id/edit` renames or re-describes a role (`updateRole`, as PUT
 * /api/v1/admin/roles/{id}, roles:write) and `/admin/roles/:id/delete` is the confirmation step
 * before `deleteRole` (as DELETE /api/v1/admin/roles/{id}, roles:delete), whose box is the API's
 * `force=true`. Built-in roles get no form; a post for one anyway is the use case's refusal
 * (CANNOT_MODIFY_SYSTEM_ROLE, CANNOT_DELETE_SYSTEM_ROLE), shown like any other.
 */
export function adminRoleEdit(
  app: FastifyInstance,
  options: AppOptions,
  renderer: PageRenderer,
  requireOperator: RequireOperator,
) {
  const { rbac } = options.useCases;

  // listRoles is the only read of one role the use cases offer; the roles are a short list.
  async function roleOf(id: string) {
    const role = (await rbac.listRoles()).find((candidate) => candidate.id === id);
    if (role === undefined) throw new DomainError("ROLE_NOT_FOUND", "Role not found");
    return role;
  }

  async function rolePage(
    request: FastifyRequest,
    reply: FastifyReply,
    page: "edit" | "delete",
    id: string,
    outcome: ConsoleOutcome = {},
  ) {
    const role = await roleOf(id);
    const view = {
      id: role.id,
      name: role.name,
      description: role.description ?? "",
      system: role.isSystem,
      userCount: role.userCount,
    };
    return renderPage(
      renderer,
      request,
      reply,
      `admin/role-${page}`,
      {
        title: page === "edit" ? `Edit role ${role.name}` : `Delete role ${role.name}`,
        section: "roles",
        role: view,
        values: { name: view.name, description: view.description, ...outcome.values },
        ...(outcome.errors === undefined ? {} : { errors: outcome.errors }),
      },
      outcome.status ?? 200,
    );
  }

  app.get<Params>("/admin/roles/:id/edit", withId, async (request, reply) => {
    if ((await requireOperator(request, reply, "roles:read")) === undefined) return reply;
    return rolePage(request, reply, "edit", request.params.id);
  });

  app.post<Params>("/admin/roles/:id", withId, async (request, reply) => {
    const actor = await requireOperator(request, reply, "roles:write");
    if (actor === undefined) return reply;
    const name = formField(request, "name").trim();
    const description = descriptionField(request);
    try {
      await rbac.updateRole(actor, request.params.id, { name, description }, requestContext(request));
    } catch (error) {
      const refusal = refusalOf(error, renderer.messages);
      return rolePage(request, reply, "edit", request.params.id, {
        ...refusal,
        values: { name, description: description ?? "" },
      });
    }
    return reply.redirect("/admin/roles?notice=role_updated", 303);
  });

  app.get<Params>("/admin/roles/:id/delete", withId, async (request, reply) => {
    if ((await requireOperator(request, reply, "roles:read")) === undefined) return reply;
    return rolePage(request, reply, "delete", request.params.id);
  });

  app.post<Params>("/admin/roles/:id/delete", withId, async (request, reply) => {
    const actor = await requireOperator(request, reply, "roles:delete");
    if (actor === undefined) return reply;
    const force = formField(request, "force") === "true";
    try {
      await rbac.deleteRole(actor, request.params.id, { force }, requestContext(request));
    } catch (error) {
      return rolePage(request, reply, "delete", request.params.id, refusalOf(error, renderer.messages));
    }
    return reply.redirect("/admin/roles?notice=role_deleted", 303);
  });
}
