DROP INDEX "idx_user_roles_role";--> statement-breakpoint
CREATE INDEX "idx_user_roles_role_user" ON "user_roles" USING btree ("role_id","user_id");