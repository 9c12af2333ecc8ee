import { CreatableStatuses } from "@gatehouse/application";
import { SystemRoles, validationError } from "@gatehouse/domain";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { AppOptions } from "../../app-deps.js";
import { requestContext } from "../../http/request-context.js";
import { UserIdParams } from "../../schemas/admin-schemas.js";
import { formField } from "../form-fields.js";
import { type PageRenderer, refusalOf, renderPage } from "../render.js";
import { adminRoute, type ConsoleOutcome, type RequireOperator } from "./admin-guard.js";
import type { UserPage } from "./admin-users.js";

/** The fields both forms post, under the API's body names; echoed back after a refusal. */
const TEXT_FIELDS = ["username", "email", "full_name", "phone_number", "organization", "department"] as const;

type Creatable = (typeof CreatableStatuses)[number];

/** What was typed in the form's text fields, trimmed (never a password: neither form has one). */
function typedValues(request: FastifyRequest): Record<(typeof TEXT_FIELDS)[number], string> {
  const entries = TEXT_FIELDS.map((name) => [name, formField(request, name).trim()] as const);
  return Object.fromEntries(entries) as Record<(typeof TEXT_FIELDS)[number], string>;
}

/** The optional profile fields as the API maps its body: a blank field is null (cleared, or none). */
function profileOf(values: ReturnType<typeof typedValues>) {
  const orNull = (value: string) => (value === "" ? null : value);
  return {
    fullName: orNull(values.full_name),
    phoneNumber: orNull(values.phone_number),
    organization: orNull(values.organization),
    department: orNull(values.department),
  };
}

// The API's body schema refuses any other status; the form's select offers only these.
function creatableStatus(raw: string): Creatable {
  if ((CreatableStatuses as readonly string[]).includes(raw)) return raw as Creatable;
  throw validationError([{ field: "status", message: `must be one of ${CreatableStatuses.join(", ")}` }]);
}

/**
 * `/admin/users/new` creates a user (`createUser`, as POST /api/v1/admin/users, users:write)
 * and the details form of `/admin/users/:id` edits one (`updateUser`, as PUT
 * /api/v1/admin/users/{id}, users:write). Like an API call without `password`, a created account
 * has no usable password until its owner resets it, so the console never handles one. The
 * use cases validate, refuse taken names and addresses, and apply the privilege guards (a role
 * granting more than the operator holds, a super_admin managed by a lesser operator); a refusal
 * renders the form again with the catalogue's text and what was typed.
 */
export function adminUserForms(
  app: FastifyInstance,
  options: AppOptions,
  renderer: PageRenderer,
  requireOperator: RequireOperator,
  userPage: UserPage,
) {
  const { admin, rbac } = options.useCases;

  async function newUserPage(request: FastifyRequest, reply: FastifyReply, outcome: ConsoleOutcome = {}) {
    const roles = await rbac.listRoles();
    return renderPage(
      renderer,
      request,
      reply,
      "admin/user-new",
      {
        title: "New user",
        section: "users",
        statuses: CreatableStatuses,
        roles: roles.map((role) => role.name),
        values: { status: "active", role: SystemRoles.user, ...outcome.values },
        ...(outcome.errors === undefined ? {} : { errors: outcome.errors }),
      },
      outcome.status ?? 200,
    );
  }

  app.get("/admin/users/new", adminRoute, async (request, reply) => {
    if ((await requireOperator(request, reply, "users:read")) === undefined) return reply;
    return newUserPage(request, reply);
  });

  app.post("/admin/users", adminRoute, async (request, reply) => {
    const actor = await requireOperator(request, reply, "users:write");
    if (actor === undefined) return reply;
    const values = typedValues(request);
    const status = formField(request, "status");
    const role = formField(request, "role");
    let created: string;
    try {
      const { user } = await admin.createUser(
        actor,
        {
          username: values.username,
          email: values.email,
          ...profileOf(values),
          status: creatableStatus(status),
          ...(role === "" ? {} : { roles: [role] }),
        },
        requestContext(request),
      );
      created = user.id;
    } catch (error) {
      return newUserPage(request, reply, {
        ...refusalOf(error, renderer.messages),
        values: { ...values, status, role },
      });
    }
    return reply.redirect(`/admin/users/${created}?notice=user_created`, 303);
  });

  app.post<{ Params: { id: string } }>(
    "/admin/users/:id",
    { ...adminRoute, schema: { hide: true, params: UserIdParams } },
    async (request, reply) => {
      const actor = await requireOperator(request, reply, "users:write");
      if (actor === undefined) return reply;
      const { id } = request.params;
      const values = typedValues(request);
      let pending: string | null;
      try {
        const update = { username: values.username, email: values.email, ...profileOf(values) };
        ({ pendingEmail: pending } = await admin.updateUser(actor, id, update, requestContext(request)));
      } catch (error) {
        return userPage(request, reply, id, { ...refusalOf(error, renderer.messages), values });
      }
      const notice = pending === null ? "user_updated" : "user_email_pending";
      return reply.redirect(`/admin/users/${id}?notice=${notice}`, 303);
    },
  );
}
