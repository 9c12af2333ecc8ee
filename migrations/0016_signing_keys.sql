CREATE TABLE "signing_keys" (
	"kid" varchar(64) PRIMARY KEY NOT NULL,
	"algorithm" varchar(16) NOT NULL,
	"public_key_pem" text NOT NULL,
	"private_key_ciphertext" text NOT NULL,
	"state" varchar(16) NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"activated_at" timestamp with time zone,
	"retire_after" timestamp with time zone,
	CONSTRAINT "signing_keys_state_check" CHECK ("signing_keys"."state" IN ('active', 'verifying', 'retired')),
	CONSTRAINT "signing_keys_algorithm_check" CHECK ("signing_keys"."algorithm" IN ('EdDSA', 'ES256'))
);
--> statement-breakpoint
CREATE UNIQUE INDEX "signing_keys_one_active" ON "signing_keys" USING btree ("state") WHERE "signing_keys"."state" = 'active';