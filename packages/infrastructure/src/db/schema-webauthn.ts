// Passkey tables (README "Two-factor authentication", passkeys).
import { bigint, boolean, index, jsonb, pgTable, text, timestamp, uuid, varchar } from "drizzle-orm/pg-core";
import { users } from "./schema.js";
import { mfaFactors } from "./schema-mfa.js";

/**
 * A registered passkey or security key, one per `webauthn` factor (listing, removal and the
 * created/last-used times go through the factor). The public key is public: stored as is.
 * `credential_id` is unique across users, so one authenticator credential names one account.
 */
export const webauthnCredentials = pgTable(
  "webauthn_credentials",
  {
    factorId: uuid("factor_id")
      .primaryKey()
      .references(() => mfaFactors.id, { onDelete: "cascade" }),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    credentialId: varchar("credential_id", { length: 1400 }).notNull().unique("webauthn_credentials_credential_id"),
    publicKey: text("public_key").notNull(),
    counter: bigint("counter", { mode: "number" }).notNull(),
    transports: jsonb("transports").$type<string[]>().notNull(),
    backupEligible: boolean("backup_eligible").notNull(),
    backupState: boolean("backup_state").notNull(),
    aaguid: varchar("aaguid", { length: 36 }).notNull(),
    name: varchar("name", { length: 64 }).notNull(),
  },
  (t) => [index("idx_webauthn_credentials_user").on(t.userId)],
);

/**
 * WebAuthn challenges waiting for their ceremony when no Redis is configured, under the SHA-256
 * of the challenge; taken by DELETE … RETURNING, so each serves one ceremony.
 */
export const webauthnChallenges = pgTable(
  "webauthn_challenges",
  {
    challengeHash: varchar("challenge_hash", { length: 64 }).primaryKey(),
    ceremony: varchar("ceremony", { length: 16 }).notNull(),
    userId: uuid("user_id").references(() => users.id, { onDelete: "cascade" }),
    mfaTokenHash: varchar("mfa_token_hash", { length: 64 }),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("idx_webauthn_challenges_expires").on(t.expiresAt)],
);
