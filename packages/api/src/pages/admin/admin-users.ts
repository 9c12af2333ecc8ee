import { type AccountStatus, AccountStatuses, type MfaFactorType } from "@gatehouse/domain";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { AppOptions } from "../../app-deps.js";
import { queryField } from "../form-fields.js";
import { isNoticeKey } from "../messages.js";
import { type PageRenderer, renderPage } from "../render.js";
import {
  adminRoute,
  type ConsoleOutcome,
  pageNumber,
  pagerOf,
  type RequireOperator,
  shortTime,
} from "./admin-guard.js";

const PER_PAGE = 20;
// The API refuses control characters in `search` (UserListQuery); the page drops them instead.
const CONTROL = /\p{Cc}/gu;

const FACTOR_NAMES: Readonly<Record<MfaFactorType, string>> = {
  totp: "Authenticator app",
  recovery_codes: "Recovery codes",
  webauthn: "Passkey or security key",
};

function statusOf(raw: string): AccountStatus | undefined {
  return (AccountStatuses as readonly string[]).includes(raw) ? (raw as AccountStatus) : undefined;
}

/**
 * `/admin/users` (search, filters, pages: `listUsers` with the query GET /api/v1/admin/users
 * builds) and `/admin/users/:id` (the user, roles, sessions, second factors and identities, each action a form
 * posting to admin-user-actions.ts; creating and editing a user: admin-user-forms.ts).
 */
export function adminUsers(
  app: FastifyInstance,
  options: AppOptions,
  renderer: PageRenderer,
  requireOperator: RequireOperator,
) {
  const { admin, rbac, account, identities, mfa } = options.useCases;

  app.get("/admin/users", adminRoute, async (request, reply) => {
    if ((await requireOperator(request, reply, "users:read")) === undefined) return reply;
    const status = statusOf(queryField(request, "status"));
    const filters = {
      search: queryField(request, "search").replace(CONTROL, "").trim().slice(0, 100),
      status: status ?? "",
      role: queryField(request, "role").slice(0, 50),
      include_deleted: queryField(request, "include_deleted") === "true" ? "true" : "",
    };
    const page = pageNumber(queryField(request, "page"));
    const result = await admin.listUsers({
      page,
      perPage: PER_PAGE,
      includeDeleted: filters.include_deleted === "true",
      sort: "created_at",
      order: "desc",
      ...(filters.search === "" ? {} : { search: filters.search }),
      ...(filters.role === "" ? {} : { role: filters.role }),
      ...(status === undefined ? {} : { status }),
    });
    const roles = await rbac.listRoles();
    const notice = queryField(request, "notice");
    return renderPage(renderer, request, reply, "admin/users", {
      title: "Users",
      section: "users",
      ...(isNoticeKey(renderer.messages, notice) ? { notice } : {}),
      filters,
      statuses: AccountStatuses,
      roles: roles.map((role) => role.name),
      users: result.items.map(({ user, roleNames }) => ({
        id: user.id,
        username: user.username,
        email: user.email,
        status: user.status,
        deleted: user.deletedAt !== null,
        roles: roleNames.join(", "),
        created: shortTime(user.createdAt),
      })),
      pager: pagerOf("/admin/users", filters, page, PER_PAGE, result.totalItems),
    });
  });

  /** The detail page, after an action's redirect (its notice) or its refusal (its errors). */
  async function userPage(request: FastifyRequest, reply: FastifyReply, userId: string, outcome: ConsoleOutcome = {}) {
    const { user, roles } = await admin.getUser(userId);
    const allRoles = await rbac.listRoles();
    const sessions = user.deletedAt === null ? await account.listSessions(user.id, "") : [];
    const linked = (await identities?.listIdentities(user.id)) ?? [];
    const factors = user.deletedAt === null ? ((await mfa?.listFactors(user.id)) ?? []) : [];
    return renderPage(
      renderer,
      request,
      reply,
      "admin/user",
      {
        title: `User ${user.username}`,
        section: "users",
        user: {
          id: user.id,
          username: user.username,
          email: user.email,
          fullName: user.fullName ?? "—",
          status: user.status,
          statusReason: user.statusReason ?? "—",
          deleted: user.deletedAt !== null,
          deletedAt: shortTime(user.deletedAt),
          created: shortTime(user.createdAt),
          verified: shortTime(user.emailVerifiedAt),
        },
        roles: roles.map((role) => ({ id: role.id, name: role.name })),
        assignable: allRoles.filter((role) => !roles.some((held) => held.id === role.id)).map((role) => role.name),
        sessions: sessions.map((item) => ({
          userAgent: item.userAgent ?? "Unknown device",
          lastUsed: shortTime(item.lastUsedAt),
        })),
        factors: factors.map((factor) => ({
          type: FACTOR_NAMES[factor.type],
          remaining: factor.remainingCodes === null ? "" : ` · ${factor.remainingCodes} unused`,
          lastUsed: shortTime(factor.lastUsedAt),
        })),
        identities: linked.map((identity) => ({
          id: identity.id,
          provider: identity.provider,
          email: identity.email ?? "—",
          lastLogin: shortTime(identity.lastLoginAt),
        })),
        ...(outcome.notice === undefined ? {} : { notice: outcome.notice }),
        ...(outcome.errors === undefined ? {} : { errors: outcome.errors }),
        // The details form: the stored fields, or what was typed when the update was refused.
        values: {
          username: user.username,
          email: user.email,
          full_name: user.fullName ?? "",
          phone_number: user.phoneNumber ?? "",
          organization: user.organization ?? "",
          department: user.department ?? "",
          ...outcome.values,
        },
      },
      outcome.status ?? 200,
    );
  }

  app.get<{ Params: { id: string } }>("/admin/users/:id", adminRoute, async (request, reply) => {
    if ((await requireOperator(request, reply, "users:read")) === undefined) return reply;
    const notice = queryField(request, "notice");
    return userPage(request, reply, request.params.id, isNoticeKey(renderer.messages, notice) ? { notice } : {});
  });

  return { userPage };
}

export type UserPage = ReturnType<typeof adminUsers>["userPage"];
