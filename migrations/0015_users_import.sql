-- users:import: who may import users with their password hashes (POST /api/v1/admin/users/import,
-- `gatehouse users import`). Granted to super_admin (which holds every permission anyway) and to
-- admin, which already creates users; an import is a batch of user creations. Idempotent.
INSERT INTO "permissions" ("name", "description") VALUES
  ('users:import', 'Import users with their password hashes')
ON CONFLICT ("name") DO NOTHING;
--> statement-breakpoint
INSERT INTO "role_permissions" ("role_id", "permission_id")
SELECT r.id, p.id FROM "roles" r JOIN "permissions" p ON p.name = 'users:import'
WHERE r.name IN ('super_admin', 'admin')
ON CONFLICT DO NOTHING;
