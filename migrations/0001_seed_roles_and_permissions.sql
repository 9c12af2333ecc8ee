-- Default roles and permissions (ARCHITECTURE, "Authorization (RBAC)"). Idempotent so a re-run changes nothing.
INSERT INTO "roles" ("name", "description", "is_system") VALUES
  ('super_admin', 'Super Administrator with full system access', true),
  ('admin', 'Administrator with user management access', true),
  ('user', 'Regular authenticated user', true)
ON CONFLICT ("name") DO NOTHING;
--> statement-breakpoint
INSERT INTO "permissions" ("name", "description") VALUES
  ('users:read', 'View user list and details'),
  ('users:write', 'Create and update users'),
  ('users:delete', 'Delete users'),
  ('roles:read', 'View role list and details'),
  ('roles:write', 'Create, update, and assign roles'),
  ('roles:delete', 'Delete roles'),
  ('permissions:read', 'View permission list'),
  ('permissions:write', 'Create and update permissions'),
  ('audit:read', 'View audit logs')
ON CONFLICT ("name") DO NOTHING;
--> statement-breakpoint
INSERT INTO "role_permissions" ("role_id", "permission_id")
SELECT r.id, p.id FROM "roles" r CROSS JOIN "permissions" p WHERE r.name = 'super_admin'
ON CONFLICT DO NOTHING;
--> statement-breakpoint
INSERT INTO "role_permissions" ("role_id", "permission_id")
SELECT r.id, p.id FROM "roles" r JOIN "permissions" p
  ON p.name IN ('users:read', 'users:write', 'users:delete', 'roles:read', 'audit:read')
WHERE r.name = 'admin'
ON CONFLICT DO NOTHING;
