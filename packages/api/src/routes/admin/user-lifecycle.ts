import { actorOf } from "../../http/permission-hook.js";
import { requestContext } from "../../http/request-context.js";
import {
  AdminUser,
  PermanentDeleteQuerystring,
  RestoredUser,
  SuspendBody,
  UserIdParams,
} from "../../schemas/admin-schemas.js";
import { done, Envelope, errorResponses, MessageOnly, ok } from "../../schemas/envelope.js";
import { adminAccountResponse } from "../responses.js";
import { type RoutesPlugin, bearer as security } from "../routes-plugin.js";

const tags = ["admin: users"];
const BASE = "/api/v1/admin/users";

/**
 * /api/v1/admin/users/{id}: the changes of a user's lifecycle: soft delete, restore, purge,
 * approve, reactivate, suspend. Each answers with the user as it is afterwards.
 */
export const adminUserLifecycleRoutes: RoutesPlugin = async (app, { options }) => {
  const { admin } = options.useCases;
  const current = async (userId: string) => adminAccountResponse(await admin.getUser(userId));

  app.delete(
    `${BASE}/:id`,
    {
      config: { permission: "users:delete" },
      schema: {
        tags,
        security,
        operationId: "adminDeleteUser",
        summary: "Soft-delete a user",
        description:
          "Not yourself (CANNOT_DELETE_SELF), not a super_admin unless you are one (SUPER_ADMIN_REQUIRED), not " +
          "twice (USER_ALREADY_DELETED). Every session ends at once.",
        params: UserIdParams,
        response: { 200: MessageOnly, ...errorResponses(400, 401, 403, 404, 422) },
      },
    },
    async (request) => {
      await admin.deleteUser(actorOf(request), request.params.id, requestContext(request));
      return done("User deleted successfully");
    },
  );

  app.post(
    `${BASE}/:id/restore`,
    {
      config: { permission: "users:write" },
      schema: {
        tags,
        security,
        operationId: "adminRestoreUser",
        summary: "Restore a soft-deleted user",
        description: "USER_NOT_DELETED when not deleted; 409 when the username or email was taken meanwhile.",
        params: UserIdParams,
        response: { 200: Envelope(RestoredUser), ...errorResponses(400, 401, 403, 404, 409, 422) },
      },
    },
    async (request) => {
      const { user, restoredAt } = await admin.restoreUser(
        actorOf(request),
        request.params.id,
        requestContext(request),
      );
      return ok({ ...(await current(user.id)), restored_at: restoredAt.toISOString() }, "User restored successfully");
    },
  );

  app.delete(
    `${BASE}/:id/permanent`,
    {
      config: { permission: "users:delete" },
      schema: {
        tags,
        security,
        operationId: "adminPurgeUser",
        summary: "Delete a user permanently",
        description:
          "users:delete and the super_admin role (SUPER_ADMIN_REQUIRED). `confirm` must repeat the user's " +
          "username (CONFIRMATION_MISMATCH). Irreversible; audit entries keep the id.",
        params: UserIdParams,
        querystring: PermanentDeleteQuerystring,
        response: { 200: MessageOnly, ...errorResponses(400, 401, 403, 404, 422) },
      },
    },
    async (request) => {
      await admin.deleteUserPermanently(
        actorOf(request),
        request.params.id,
        request.query.confirm,
        requestContext(request),
      );
      return done("User permanently deleted");
    },
  );

  const statusChanges = [
    ["approve", "adminApproveUser", "Approve a user", "pending_approval → active."],
    ["reactivate", "adminReactivateUser", "Reactivate a user", "suspended or deactivated → active."],
  ] as const;
  for (const [step, operationId, summary, description] of statusChanges) {
    app.post(
      `${BASE}/:id/${step}`,
      {
        config: { permission: "users:write" },
        schema: {
          tags,
          security,
          operationId,
          summary,
          description: `${description} Any other state: 422 INVALID_STATUS_TRANSITION.`,
          params: UserIdParams,
          response: { 200: Envelope(AdminUser), ...errorResponses(400, 401, 403, 404, 422) },
        },
      },
      async (request) => {
        const run = step === "approve" ? admin.approveUser : admin.reactivateUser;
        await run(actorOf(request), request.params.id, requestContext(request));
        return ok(await current(request.params.id));
      },
    );
  }

  app.post(
    `${BASE}/:id/suspend`,
    {
      config: { permission: "users:write" },
      schema: {
        tags,
        security,
        operationId: "adminSuspendUser",
        summary: "Suspend a user",
        description:
          "active → suspended with the reason stored; every session ends at once. Any other state: 422 " +
          "INVALID_STATUS_TRANSITION.",
        params: UserIdParams,
        body: SuspendBody,
        response: { 200: Envelope(AdminUser), ...errorResponses(400, 401, 403, 404, 413, 415, 422) },
      },
    },
    async (request) => {
      await admin.suspendUser(actorOf(request), request.params.id, request.body.reason, requestContext(request));
      return ok(await current(request.params.id));
    },
  );
};
