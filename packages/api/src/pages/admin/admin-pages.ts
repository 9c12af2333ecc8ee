import type { FastifyInstance } from "fastify";
import type { AppOptions } from "../../app-deps.js";
import type { PageCookies } from "../page-session-cookie.js";
import type { PageRenderer } from "../render.js";
import { adminAudit } from "./admin-audit.js";
import { adminDashboard } from "./admin-dashboard.js";
import { makeRequireOperator } from "./admin-guard.js";
import { adminRoleEdit } from "./admin-role-edit.js";
import { adminRoles } from "./admin-roles.js";
import { adminUserActions } from "./admin-user-actions.js";
import { adminUserForms } from "./admin-user-forms.js";
import { adminUsers } from "./admin-users.js";

/** Every console route starts here: `isHostedPageRoute` keeps them out of the OpenAPI document. */
export const ADMIN_PREFIX = "/admin";

/**
 * The admin console under `/admin`: pages over the admin API's use cases, each guarded by the
 * permission its API route declares (admin-guard.ts), inside the pages plugin's context (CSRF,
 * Origin check, CSP nonce, HTML error page).
 */
export function adminPages(app: FastifyInstance, options: AppOptions, renderer: PageRenderer, cookies: PageCookies) {
  const requireOperator = makeRequireOperator(options, cookies);
  adminDashboard(app, options, renderer, requireOperator);
  const { userPage } = adminUsers(app, options, renderer, requireOperator);
  adminUserActions(app, options, renderer, requireOperator, userPage);
  adminUserForms(app, options, renderer, requireOperator, userPage);
  adminRoles(app, options, renderer, requireOperator);
  adminRoleEdit(app, options, renderer, requireOperator);
  adminAudit(app, options, renderer, requireOperator);
}
