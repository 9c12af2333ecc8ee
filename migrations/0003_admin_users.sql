-- Trigram index for the admin user search (pg_trgm is a trusted extension: the database owner may create it).
CREATE EXTENSION IF NOT EXISTS pg_trgm;--> statement-breakpoint
ALTER TABLE "audit_logs" DROP CONSTRAINT "audit_logs_user_id_users_id_fk";
--> statement-breakpoint
DROP INDEX "idx_audit_logs_user";--> statement-breakpoint
DROP INDEX "idx_audit_logs_action";--> statement-breakpoint
DROP INDEX "idx_audit_logs_resource";--> statement-breakpoint
DROP INDEX "idx_audit_logs_status";--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "organization" varchar(100);--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "department" varchar(100);--> statement-breakpoint
CREATE INDEX "idx_users_search_trgm" ON "users" USING gin (("username" || E'\x1f' || "email" || E'\x1f' || coalesce("full_name", '')) gin_trgm_ops);--> statement-breakpoint
CREATE INDEX "idx_audit_logs_user" ON "audit_logs" USING btree ("user_id","timestamp" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "idx_audit_logs_action" ON "audit_logs" USING btree ("action","timestamp" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "idx_audit_logs_resource" ON "audit_logs" USING btree ("resource_type","resource_id","timestamp" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "idx_audit_logs_status" ON "audit_logs" USING btree ("status","timestamp" DESC NULLS LAST);