CREATE TABLE "keycloak_sessions" (
	"family_id" uuid PRIMARY KEY NOT NULL,
	"user_id" uuid NOT NULL,
	"refresh_token_ciphertext" text NOT NULL,
	"access_expires_at" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "keycloak_sync_operations" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"user_id" uuid,
	"keycloak_id" varchar(64),
	"operation" varchar(16) NOT NULL,
	"secret_ciphertext" text,
	"attempts" integer DEFAULT 0 NOT NULL,
	"next_attempt_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_error" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "keycloak_sync_operation_check" CHECK ("keycloak_sync_operations"."operation" IN ('push', 'delete', 'logout_session', 'logout_user', 'password'))
);
--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "keycloak_id" varchar(64);--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "keycloak_sync_status" varchar(16);--> statement-breakpoint
ALTER TABLE "keycloak_sessions" ADD CONSTRAINT "keycloak_sessions_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "idx_keycloak_sync_due" ON "keycloak_sync_operations" USING btree ("next_attempt_at");--> statement-breakpoint
CREATE UNIQUE INDEX "keycloak_sync_one_push_per_user" ON "keycloak_sync_operations" USING btree ("user_id") WHERE "keycloak_sync_operations"."operation" = 'push';--> statement-breakpoint
CREATE UNIQUE INDEX "users_keycloak_id_unique" ON "users" USING btree ("keycloak_id");--> statement-breakpoint
ALTER TABLE "users" ADD CONSTRAINT "users_keycloak_sync_status_check" CHECK ("users"."keycloak_sync_status" IN ('pending', 'synced', 'failed'));