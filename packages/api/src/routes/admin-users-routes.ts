import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import type { AdminActor } from "@gatehouse/application";
import type { RoleGrant, User, UserSortField } from "@gatehouse/domain";
import type { FastifyRequest } from "fastify";
import type { ApiUseCases } from "../app-deps.js";
import { claimsOf } from "../http/auth-hook.js";
import { accessOf } from "../http/permission-hook.js";
import { requestContext } from "../http/request-context.js";
import {
  AdminUser,
  CreateUserBody,
  PermanentDeleteQuerystring,
  RestoredUser,
  SuspendBody,
  UpdateUserBody,
  UserIdParams,
  UserListQuerystring,
  UserPage,
  UserStatisticsData,
} from "../schemas/admin-schemas.js";
import { Envelope, errorResponses, MessageOnly, ok } from "../schemas/envelope.js";
import { adminUserResponse, paginationOf } from "./user-response.js";

const tags = ["admin: users"];
const security = [{ bearerAuth: [] }];
const BASE = "/api/v1/admin/users";

function actorOf(request: FastifyRequest): AdminActor {
  return { id: claimsOf(request).sub, access: accessOf(request) };
}

const roleNamesOf = (roles: readonly RoleGrant[]) => roles.map((role) => role.name).sort();
const withRoles = (account: { user: User; roles: readonly RoleGrant[] }) =>
  adminUserResponse(account.user, roleNamesOf(account.roles));

/** A query-string number already matched by the schema's digit pattern. */
const integerOr = (value: string | undefined, fallback: number) => (value === undefined ? fallback : Number(value));
const booleanOf = (value: "true" | "false" | undefined) => (value === undefined ? undefined : value === "true");

/** PRD §4.9.1 / §4.6 admin users API; role assignment lives with the roles API. */
export const adminUsersRoutes: FastifyPluginAsyncTypebox<{ useCases: ApiUseCases }> = async (app, { useCases }) => {
  app.get(
    BASE,
    {
      config: { permission: "users:read" },
      schema: {
        tags,
        security,
        operationId: "adminListUsers",
        summary: "List users",
        description: "Filtered, sorted, paginated. Soft-deleted users only with include_deleted=true.",
        querystring: UserListQuerystring,
        response: { 200: Envelope(UserPage), ...errorResponses(400, 401, 403) },
      },
    },
    async (request) => {
      const q = request.query;
      const page = integerOr(q.page, 1);
      const perPage = integerOr(q.per_page, 20);
      const isActive = booleanOf(q.is_active);
      const result = await useCases.listUsers({
        page,
        perPage,
        includeDeleted: q.include_deleted === "true",
        sort: (q.sort ?? "created_at") satisfies UserSortField,
        order: q.order ?? "desc",
        ...(q.search === undefined ? {} : { search: q.search }),
        ...(q.role === undefined ? {} : { role: q.role }),
        ...(q.status === undefined ? {} : { status: q.status }),
        ...(isActive === undefined ? {} : { isActive }),
      });
      return ok({
        items: result.items.map((item) => adminUserResponse(item.user, item.roleNames)),
        pagination: paginationOf(page, perPage, result.totalItems),
      });
    },
  );

  app.get(
    `${BASE}/statistics`,
    {
      config: { permission: "users:read" },
      schema: {
        tags,
        security,
        operationId: "adminUserStatistics",
        summary: "User statistics",
        description: "Counts by role and status, active/inactive, soft-deleted, registrations in 24 h / 7 d / 30 d.",
        response: { 200: Envelope(UserStatisticsData), ...errorResponses(401, 403) },
      },
    },
    async () => {
      const stats = await useCases.getUserStatistics();
      return ok({
        total_users: stats.totalUsers,
        active: stats.active,
        inactive: stats.inactive,
        deleted: stats.deleted,
        by_status: stats.byStatus,
        by_role: stats.byRole,
        registrations: {
          last_24h: stats.registrations.last24h,
          last_7d: stats.registrations.last7d,
          last_30d: stats.registrations.last30d,
        },
      });
    },
  );

  app.get(
    `${BASE}/:id`,
    {
      config: { permission: "users:read" },
      schema: {
        tags,
        security,
        operationId: "adminGetUser",
        summary: "Get a user",
        description: "Soft-deleted users too, with is_deleted, deleted_at and deleted_by.",
        params: UserIdParams,
        response: { 200: Envelope(AdminUser), ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => ok(withRoles(await useCases.getUser(request.params.id))),
  );

  app.post(
    BASE,
    {
      config: { permission: "users:write" },
      schema: {
        tags,
        security,
        operationId: "adminCreateUser",
        summary: "Create a user",
        description:
          "Validated like registration. Without `password` the account cannot sign in until its owner resets " +
          "the password. Roles must exist; granting super_admin needs a super_admin, and no role may carry a " +
          "permission the caller lacks.",
        body: CreateUserBody,
        response: { 201: Envelope(AdminUser), ...errorResponses(400, 401, 403, 409, 413, 415) },
      },
    },
    async (request, reply) => {
      const body = request.body;
      const created = await useCases.createUser(
        actorOf(request),
        {
          username: body.username,
          email: body.email,
          ...(body.password === undefined ? {} : { password: body.password }),
          fullName: body.full_name ?? null,
          phoneNumber: body.phone_number ?? null,
          organization: body.organization ?? null,
          department: body.department ?? null,
          ...(body.roles === undefined ? {} : { roles: body.roles }),
          ...(body.status === undefined ? {} : { status: body.status }),
        },
        requestContext(request),
      );
      return reply.code(201).send(ok(withRoles(created), "User created successfully"));
    },
  );

  app.put(
    `${BASE}/:id`,
    {
      config: { permission: "users:write" },
      schema: {
        tags,
        security,
        operationId: "adminUpdateUser",
        summary: "Update a user",
        description:
          "Only username, email, full_name, phone_number, organization, department and is_active; any other " +
          "field is a 400 and nothing is applied. is_active=false deactivates and ends every session.",
        params: UserIdParams,
        body: UpdateUserBody,
        response: { 200: Envelope(AdminUser), ...errorResponses(400, 401, 403, 404, 409, 413, 415, 422) },
      },
    },
    async (request) => {
      const body = request.body;
      const user = await useCases.updateUser(
        actorOf(request),
        request.params.id,
        {
          ...(body.username === undefined ? {} : { username: body.username }),
          ...(body.email === undefined ? {} : { email: body.email }),
          ...(body.full_name === undefined ? {} : { fullName: body.full_name }),
          ...(body.phone_number === undefined ? {} : { phoneNumber: body.phone_number }),
          ...(body.organization === undefined ? {} : { organization: body.organization }),
          ...(body.department === undefined ? {} : { department: body.department }),
          ...(body.is_active === undefined ? {} : { isActive: body.is_active }),
        },
        requestContext(request),
      );
      return ok(withRoles(await useCases.getUser(user.id)), "User updated successfully");
    },
  );

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
      await useCases.deleteUser(actorOf(request), request.params.id, requestContext(request));
      return { success: true as const, message: "User deleted successfully" };
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
      const { user, restoredAt } = await useCases.restoreUser(
        actorOf(request),
        request.params.id,
        requestContext(request),
      );
      const account = await useCases.getUser(user.id);
      return ok({ ...withRoles(account), restored_at: restoredAt.toISOString() }, "User restored successfully");
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
      await useCases.deleteUserPermanently(
        actorOf(request),
        request.params.id,
        request.query.confirm,
        requestContext(request),
      );
      return { success: true as const, message: "User permanently deleted" };
    },
  );

  const lifecycle = [
    ["approve", "adminApproveUser", "Approve a user", "pending_approval → active."],
    ["reactivate", "adminReactivateUser", "Reactivate a user", "suspended or deactivated → active."],
  ] as const;
  for (const [step, operationId, summary, description] of lifecycle) {
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
        const run = step === "approve" ? useCases.approveUser : useCases.reactivateUser;
        await run(actorOf(request), request.params.id, requestContext(request));
        return ok(withRoles(await useCases.getUser(request.params.id)));
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
      await useCases.suspendUser(actorOf(request), request.params.id, request.body.reason, requestContext(request));
      return ok(withRoles(await useCases.getUser(request.params.id)));
    },
  );
};
