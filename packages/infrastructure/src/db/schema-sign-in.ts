// Social-login and token-signing-key tables (README "Social login", "Token keys").
import { sql } from "drizzle-orm";
import { check, index, pgTable, text, timestamp, uniqueIndex, uuid, varchar } from "drizzle-orm/pg-core";
import { users } from "./schema.js";

/** Provider accounts linked to users (README "Social login"); one user per provider account. */
export const federatedIdentities = pgTable(
  "federated_identities",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    provider: varchar("provider", { length: 32 }).notNull(),
    subject: varchar("subject", { length: 255 }).notNull(),
    email: varchar("email", { length: 255 }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    lastLoginAt: timestamp("last_login_at", { withTimezone: true }),
  },
  (t) => [
    uniqueIndex("federated_identities_provider_subject").on(t.provider, t.subject),
    index("idx_federated_identities_user").on(t.userId),
  ],
);

/** One row per started sign-in, under the hash of its `state`; deleted when the callback consumes it. */
export const oauthStates = pgTable(
  "oauth_states",
  {
    stateHash: varchar("state_hash", { length: 64 }).primaryKey(),
    provider: varchar("provider", { length: 32 }).notNull(),
    callbackUrl: text("callback_url").notNull(),
    redirectUri: text("redirect_uri").notNull(),
    appState: text("app_state"),
    appCodeChallenge: varchar("app_code_challenge", { length: 128 }),
    codeVerifier: varchar("code_verifier", { length: 128 }).notNull(),
    nonce: varchar("nonce", { length: 128 }),
    linkUserId: uuid("link_user_id").references(() => users.id, { onDelete: "cascade" }),
    // The hash of the starting browser's binding cookie (a hosted-page link), checked at the callback.
    bindingHash: varchar("binding_hash", { length: 64 }),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("idx_oauth_states_expires").on(t.expiresAt)],
);

/** The one-time codes apps exchange for tokens, under their hash; deleted when exchanged. */
export const oauthHandoffCodes = pgTable(
  "oauth_handoff_codes",
  {
    codeHash: varchar("code_hash", { length: 64 }).primaryKey(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    provider: varchar("provider", { length: 32 }).notNull(),
    codeChallenge: varchar("code_challenge", { length: 128 }),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("idx_oauth_handoff_codes_expires").on(t.expiresAt)],
);

/**
 * The access-token signing keys kept in the database (README, "Token keys"): one `active` key
 * signs, `verifying` keys still verify until `retire_after`, `retired` keys verify nothing and
 * leave the JWKS. The private half is AES-256-GCM ciphertext under JWT_KEY_ENCRYPTION_KEY.
 */
export const signingKeys = pgTable(
  "signing_keys",
  {
    kid: varchar("kid", { length: 64 }).primaryKey(),
    algorithm: varchar("algorithm", { length: 16 }).notNull(),
    /** SPKI PEM of the public key, what the JWKS publishes. */
    publicKeyPem: text("public_key_pem").notNull(),
    /** base64url of iv (12 bytes) || ciphertext of the PKCS#8 DER || GCM tag (16 bytes). */
    privateKeyCiphertext: text("private_key_ciphertext").notNull(),
    state: varchar("state", { length: 16 }).notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    activatedAt: timestamp("activated_at", { withTimezone: true }),
    retireAfter: timestamp("retire_after", { withTimezone: true }),
  },
  (t) => [
    // At most one signing key, whatever races: two nodes generating at first start, two rotations.
    uniqueIndex("signing_keys_one_active").on(t.state).where(sql`${t.state} = 'active'`),
    check("signing_keys_state_check", sql`${t.state} IN ('active', 'verifying', 'retired')`),
    check("signing_keys_algorithm_check", sql`${t.algorithm} IN ('EdDSA', 'ES256')`),
  ],
);
