-- system:read: who may see the host's figures in /health and /health/details (CPU, memory,
-- swap, hostname, OS and kernel). Granted to super_admin like every permission; others get it
-- through a role. Idempotent.
INSERT INTO "permissions" ("name", "description") VALUES
  ('system:read', 'View host system information in health responses')
ON CONFLICT ("name") DO NOTHING;
--> statement-breakpoint
INSERT INTO "role_permissions" ("role_id", "permission_id")
SELECT r.id, p.id FROM "roles" r JOIN "permissions" p ON p.name = 'system:read'
WHERE r.name = 'super_admin'
ON CONFLICT DO NOTHING;
