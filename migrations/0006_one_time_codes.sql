CREATE TABLE "mail_throttle" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"key" varchar(64) NOT NULL,
	"sent_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "one_time_codes" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"user_id" uuid NOT NULL,
	"purpose" varchar(32) NOT NULL,
	"email" varchar(255) NOT NULL,
	"code_hash" varchar(64) NOT NULL,
	"token_hash" varchar(64) NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"used_at" timestamp with time zone,
	"revoked_at" timestamp with time zone,
	CONSTRAINT "one_time_codes_token_hash_unique" UNIQUE("token_hash"),
	CONSTRAINT "one_time_codes_purpose_check" CHECK ("one_time_codes"."purpose" IN ('verify_email', 'change_email', 'reset_password')),
	CONSTRAINT "one_time_codes_attempts_check" CHECK ("one_time_codes"."attempts" >= 0)
);
--> statement-breakpoint
ALTER TABLE "one_time_codes" ADD CONSTRAINT "one_time_codes_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "idx_mail_throttle_key" ON "mail_throttle" USING btree ("key","sent_at");--> statement-breakpoint
CREATE INDEX "idx_mail_throttle_sent_at" ON "mail_throttle" USING btree ("sent_at");--> statement-breakpoint
CREATE UNIQUE INDEX "one_time_codes_one_live_per_purpose" ON "one_time_codes" USING btree ("user_id","purpose") WHERE "one_time_codes"."used_at" IS NULL AND "one_time_codes"."revoked_at" IS NULL;--> statement-breakpoint
CREATE INDEX "idx_one_time_codes_user" ON "one_time_codes" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "idx_one_time_codes_expires" ON "one_time_codes" USING btree ("expires_at");