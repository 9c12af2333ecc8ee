// The Keycloak sync outbox (README "Keycloak"): every change Keycloak must learn is a row written
// in the same transaction as the local change, so a crash or an outage between the two writes
// leaves a row to retry instead of one side without the other.
import { sql } from "drizzle-orm";
import { check, index, integer, pgTable, text, timestamp, uniqueIndex, uuid, varchar } from "drizzle-orm/pg-core";
import { users } from "./schema.js";

export const keycloakSyncOperations = pgTable(
  "keycloak_sync_operations",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    // No foreign key: a delete must still reach Keycloak after the local row is gone.
    userId: uuid("user_id"),
    keycloakId: varchar("keycloak_id", { length: 64 }),
    operation: varchar("operation", { length: 16 }).notNull(),
    // A password or Keycloak refresh token the operation needs, sealed (never plaintext at rest);
    // cleared once the operation is done or given up.
    secretCiphertext: text("secret_ciphertext"),
    attempts: integer("attempts").notNull().default(0),
    nextAttemptAt: timestamp("next_attempt_at", { withTimezone: true }).notNull().defaultNow(),
    lastError: text("last_error"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index("idx_keycloak_sync_due").on(t.nextAttemptAt),
    // One pending push per user: a push sends the row's current state, so later changes coalesce.
    uniqueIndex("keycloak_sync_one_push_per_user").on(t.userId).where(sql`${t.operation} = 'push'`),
    check(
      "keycloak_sync_operation_check",
      sql`${t.operation} IN ('push', 'delete', 'logout_session', 'logout_user', 'password')`,
    ),
  ],
);

/**
 * Keycloak's refresh token for a Gatehouse session (password-grant logins), sealed at rest. The
 * row belongs to the refresh-token family (`family_id`), so ending the session ends its use.
 */
export const keycloakSessions = pgTable("keycloak_sessions", {
  familyId: uuid("family_id").primaryKey(),
  userId: uuid("user_id")
    .notNull()
    .references(() => users.id, { onDelete: "cascade" }),
  refreshTokenCiphertext: text("refresh_token_ciphertext").notNull(),
  // When Keycloak's access token would lapse: the next Gatehouse refresh past it (less the
  // buffer) asks Keycloak for a refresh grant, which is where an admin-ended session shows.
  accessExpiresAt: timestamp("access_expires_at", { withTimezone: true }).notNull(),
  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
});
