// Second-factor tables (README "Two-factor authentication").
import { sql } from "drizzle-orm";
import { bigint, check, index, jsonb, pgTable, text, timestamp, uniqueIndex, uuid, varchar } from "drizzle-orm/pg-core";
import { users } from "./schema.js";

/**
 * A user's second factors. A `totp` row holds the AES-256-GCM sealed secret (MFA_ENCRYPTION_KEY,
 * key id in the prefix) and the last accepted time step, the replay guard; it guards logins
 * only once `confirmed_at` is set (after the first valid code). One TOTP and one recovery-code
 * set per user.
 */
export const mfaFactors = pgTable(
  "mfa_factors",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    type: varchar("type", { length: 16 }).notNull(),
    secretCiphertext: text("secret_ciphertext"),
    lastTimeStep: bigint("last_time_step", { mode: "number" }),
    confirmedAt: timestamp("confirmed_at", { withTimezone: true }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    lastUsedAt: timestamp("last_used_at", { withTimezone: true }),
  },
  (t) => [
    uniqueIndex("mfa_factors_one_totp").on(t.userId).where(sql`${t.type} = 'totp'`),
    uniqueIndex("mfa_factors_one_recovery_set").on(t.userId).where(sql`${t.type} = 'recovery_codes'`),
    check("mfa_factors_type_check", sql`${t.type} IN ('totp', 'recovery_codes', 'webauthn')`),
  ],
);

/** The recovery codes of a `recovery_codes` factor, under their SHA-256; `used_at` set once. */
export const mfaRecoveryCodes = pgTable(
  "mfa_recovery_codes",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    factorId: uuid("factor_id")
      .notNull()
      .references(() => mfaFactors.id, { onDelete: "cascade" }),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    codeHash: varchar("code_hash", { length: 64 }).notNull(),
    usedAt: timestamp("used_at", { withTimezone: true }),
  },
  (t) => [uniqueIndex("mfa_recovery_codes_user_hash").on(t.userId, t.codeHash)],
);

/** Logins waiting for their second factor, under the hash of the `mfa_token`; deleted when used. */
export const mfaChallenges = pgTable(
  "mfa_challenges",
  {
    tokenHash: varchar("token_hash", { length: 64 }).primaryKey(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    /** `login` (the second step) or `enrollment` (the first factor a policy requires): see MfaChallengePurpose. */
    purpose: varchar("purpose", { length: 16 }).notNull().default("login"),
    clientHash: varchar("client_hash", { length: 64 }).notNull(),
    amr: jsonb("amr").$type<string[]>().notNull(),
    authTime: timestamp("auth_time", { withTimezone: true }).notNull(),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("idx_mfa_challenges_expires").on(t.expiresAt)],
);

/**
 * How each session (refresh-token family) was authenticated: refresh copies it into every new
 * access token and never raises it. Sessions opened before this table have no row: aal1.
 */
export const sessionAssurance = pgTable(
  "session_assurance",
  {
    sessionId: uuid("session_id").primaryKey(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    amr: jsonb("amr").$type<string[]>().notNull(),
    acr: varchar("acr", { length: 8 }).notNull(),
    authTime: timestamp("auth_time", { withTimezone: true }).notNull(),
  },
  (t) => [index("idx_session_assurance_user").on(t.userId)],
);
