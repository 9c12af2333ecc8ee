import type { AdminActor } from "@gatehouse/application";
import { type RequestContext, validationError } from "@gatehouse/domain";
import type { FastifyInstance } from "fastify";
import type { AppOptions } from "../../app-deps.js";
import { requestContext } from "../../http/request-context.js";
import { UserIdParams } from "../../schemas/admin-schemas.js";
import { UserIdentityParams } from "../../schemas/identity-schemas.js";
import { UserRoleParams } from "../../schemas/rbac-schemas.js";
import { formField } from "../form-fields.js";
import type { NoticeKey } from "../messages.js";
import { type PageRenderer, refusalOf } from "../render.js";
import { adminRoute, type RequireOperator } from "./admin-guard.js";
import type { UserPage } from "./admin-users.js";

interface UserParams {
  readonly id: string;
  readonly role_id?: string;
  readonly identity_id?: string;
}

/** One form of the user page: the permission its API route declares, and the use case it calls. */
interface UserAction {
  readonly path: string;
  readonly permission: string;
  readonly notice: NoticeKey;
  readonly params: typeof UserIdParams | typeof UserRoleParams | typeof UserIdentityParams;
  /** Where the browser goes afterwards when not back to the user (who may be gone). */
  readonly redirectTo?: string;
  readonly run: (
    actor: AdminActor,
    params: UserParams,
    field: (name: string) => string,
    ctx: RequestContext,
  ) => Promise<unknown>;
}

/**
 * The status, session, second-factor, role and identity forms of `/admin/users/:id`. Each posts (CSRF token and Origin
 * checked by the pages plugin) to a route guarded by the permission its API twin declares and
 * calls that route's use case, then redirects (303) back with a notice; a refusal renders the
 * page again with the catalogue's text in the error summary and the refusal's status.
 */
export function adminUserActions(
  app: FastifyInstance,
  options: AppOptions,
  renderer: PageRenderer,
  requireOperator: RequireOperator,
  userPage: UserPage,
) {
  const { admin, rbac, identities } = options.useCases;
  const actions: UserAction[] = [
    {
      path: "/admin/users/:id/approve",
      permission: "users:write",
      notice: "user_approved",
      params: UserIdParams,
      run: (actor, { id }, _field, ctx) => admin.approveUser(actor, id, ctx),
    },
    {
      path: "/admin/users/:id/suspend",
      permission: "users:write",
      notice: "user_suspended",
      params: UserIdParams,
      run: (actor, { id }, field, ctx) => admin.suspendUser(actor, id, field("reason"), ctx),
    },
    {
      path: "/admin/users/:id/reactivate",
      permission: "users:write",
      notice: "user_reactivated",
      params: UserIdParams,
      run: (actor, { id }, _field, ctx) => admin.reactivateUser(actor, id, ctx),
    },
    {
      path: "/admin/users/:id/delete",
      permission: "users:delete",
      notice: "user_deleted",
      params: UserIdParams,
      run: (actor, { id }, _field, ctx) => admin.deleteUser(actor, id, ctx),
    },
    {
      path: "/admin/users/:id/restore",
      permission: "users:write",
      notice: "user_restored",
      params: UserIdParams,
      run: (actor, { id }, _field, ctx) => admin.restoreUser(actor, id, ctx),
    },
    {
      path: "/admin/users/:id/purge",
      permission: "users:delete",
      notice: "user_purged",
      params: UserIdParams,
      redirectTo: "/admin/users?notice=user_purged",
      run: (actor, { id }, field, ctx) => admin.deleteUserPermanently(actor, id, field("confirm"), ctx),
    },
    {
      path: "/admin/users/:id/sessions/revoke",
      permission: "users:write",
      notice: "user_sessions_revoked",
      params: UserIdParams,
      run: (actor, { id }, _field, ctx) => admin.revokeUserSessions(actor, id, ctx),
    },
    {
      path: "/admin/users/:id/mfa/reset",
      permission: "users:write",
      notice: "user_mfa_reset",
      params: UserIdParams,
      run: (actor, { id }, field, ctx) => {
        // The form's own confirmation: the API caller confirms by calling DELETE deliberately.
        if (field("mfa_confirm") !== "yes") {
          throw validationError([{ field: "mfa_confirm", message: "must be ticked to reset the second factors" }]);
        }
        return admin.resetUserMfa(actor, id, ctx);
      },
    },
    {
      path: "/admin/users/:id/roles",
      permission: "roles:write",
      notice: "role_assigned",
      params: UserIdParams,
      run: (actor, { id }, field, ctx) => rbac.assignUserRoles(actor, id, { names: [field("role_name")] }, ctx),
    },
    {
      path: "/admin/users/:id/roles/:role_id/remove",
      permission: "roles:write",
      notice: "role_removed",
      params: UserRoleParams,
      run: (actor, { id, role_id }, _field, ctx) => rbac.unassignUserRole(actor, id, role_id ?? "", ctx),
    },
  ];
  if (identities !== undefined) {
    actions.push({
      path: "/admin/users/:id/identities/:identity_id/unlink",
      permission: "users:write",
      notice: "identity_unlinked",
      params: UserIdentityParams,
      run: (actor, { id, identity_id }, _field, ctx) =>
        identities.unlinkUserIdentity(actor, id, identity_id ?? "", ctx),
    });
  }

  for (const action of actions) {
    app.post<{ Params: UserParams }>(
      action.path,
      { ...adminRoute, schema: { hide: true, params: action.params } },
      async (request, reply) => {
        const actor = await requireOperator(request, reply, action.permission);
        if (actor === undefined) return reply;
        const { id } = request.params;
        try {
          await action.run(actor, request.params, (name) => formField(request, name), requestContext(request));
        } catch (error) {
          const { status, errors } = refusalOf(error, renderer.messages);
          return userPage(request, reply, id, { errors, status });
        }
        return reply.redirect(action.redirectTo ?? `/admin/users/${id}?notice=${action.notice}`, 303);
      },
    );
  }
}
