import type { RoutesPlugin } from "../routes-plugin.js";
import { auditLogRoutes } from "./audit-logs.js";
import { permissionRoutes } from "./permissions.js";
import { roleRoutes } from "./roles.js";
import { userIdentityRoutes } from "./user-identities.js";
import { userImportRoutes } from "./user-import.js";
import { adminUserLifecycleRoutes } from "./user-lifecycle.js";
import { userRoleRoutes } from "./user-roles.js";
import { userSignInRoutes } from "./user-sign-in.js";
import { adminUserRoutes } from "./users.js";

/** Everything under /api/v1/admin: each route names the permission it needs. */
export const adminRoutes: RoutesPlugin = async (app, { options }) => {
  await app.register(adminUserRoutes, { options });
  await app.register(adminUserLifecycleRoutes, { options });
  await app.register(userImportRoutes, { options });
  await app.register(auditLogRoutes, { options });
  await app.register(roleRoutes, { options });
  await app.register(permissionRoutes, { options });
  await app.register(userRoleRoutes, { options });
  await app.register(userIdentityRoutes, { options });
  await app.register(userSignInRoutes, { options });
};
