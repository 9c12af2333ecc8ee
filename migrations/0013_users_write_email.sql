-- users:write_email: an administrator who holds it sets a user's sign-in email at once; without
-- it an admin-set email waits for the code mailed to the new address. Dangerous (whoever reads
-- the new mailbox can reset the password), so granted to super_admin only. Idempotent.
INSERT INTO "permissions" ("name", "description") VALUES
  ('users:write_email', 'Set a user''s sign-in email without verifying the new address (dangerous)')
ON CONFLICT ("name") DO NOTHING;
--> statement-breakpoint
INSERT INTO "role_permissions" ("role_id", "permission_id")
SELECT r.id, p.id FROM "roles" r JOIN "permissions" p ON p.name = 'users:write_email'
WHERE r.name = 'super_admin'
ON CONFLICT DO NOTHING;
