// The core tables; feature tables live in schema-chat.ts, schema-sign-in.ts and schema-keycloak.ts, and tables.ts
// gathers them (drizzle-kit reads all four files, drizzle.config.ts).
import { sql } from "drizzle-orm";
import {
  boolean,
  check,
  index,
  inet,
  integer,
  jsonb,
  type PgColumn,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
  varchar,
} from "drizzle-orm/pg-core";

export const timestamps = {
  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
};

/** The text the admin search matches; the repository's query must spell it exactly like this. */
export function userSearchText(t: { username: PgColumn; email: PgColumn; fullName: PgColumn }) {
  return sql`(${t.username} || E'\\x1f' || ${t.email} || E'\\x1f' || coalesce(${t.fullName}, ''))`;
}

export const users = pgTable(
  "users",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    username: varchar("username", { length: 50 }).notNull(),
    email: varchar("email", { length: 255 }).notNull(),
    passwordHash: varchar("password_hash", { length: 255 }).notNull(),
    fullName: varchar("full_name", { length: 100 }),
    phoneNumber: varchar("phone_number", { length: 20 }),
    organization: varchar("organization", { length: 100 }),
    department: varchar("department", { length: 100 }),
    status: varchar("status", { length: 32 }).notNull().default("active"),
    statusReason: text("status_reason"),
    statusChangedAt: timestamp("status_changed_at", { withTimezone: true }).notNull().defaultNow(),
    emailVerifiedAt: timestamp("email_verified_at", { withTimezone: true }),
    passwordChangedAt: timestamp("password_changed_at", { withTimezone: true }).notNull().defaultNow(),
    ...timestamps,
    deletedAt: timestamp("deleted_at", { withTimezone: true }),
    deletedBy: uuid("deleted_by").references((): PgColumn => users.id, { onDelete: "set null" }),
    // Set by the worker once a soft-deleted user's personal data is gone: it cannot be restored.
    purgedAt: timestamp("purged_at", { withTimezone: true }),
    // The linked Keycloak account (IDENTITY_BACKEND=keycloak, README "Keycloak"); null in local mode.
    keycloakId: varchar("keycloak_id", { length: 64 }),
    // Whether Keycloak has caught up with this row; null when the user is not managed there.
    keycloakSyncStatus: varchar("keycloak_sync_status", { length: 16 }),
  },
  (t) => [
    // Uniqueness is case-insensitive and ignores soft-deleted rows, which may be restored later.
    uniqueIndex("users_email_unique").on(sql`lower(${t.email})`).where(sql`${t.deletedAt} IS NULL`),
    uniqueIndex("users_username_unique").on(sql`lower(${t.username})`).where(sql`${t.deletedAt} IS NULL`),
    index("idx_users_status").on(t.status).where(sql`${t.deletedAt} IS NULL`),
    index("idx_users_deleted_at").on(t.deletedAt).where(sql`${t.deletedAt} IS NOT NULL`),
    index("idx_users_created_at").on(t.createdAt),
    // The admin search is a case-insensitive substring match (ILIKE '%term%') over username,
    // email and full name. One trigram GIN index over the three joined by U+001F (which a
    // search term may not contain, so no match spans two fields): one index scan is cheap
    // enough that the planner prefers it to a sequential scan, which three ORed ones were not.
    index("idx_users_search_trgm").using("gin", sql`${userSearchText(t)} gin_trgm_ops`),
    uniqueIndex("users_keycloak_id_unique").on(t.keycloakId),
    check("users_keycloak_sync_status_check", sql`${t.keycloakSyncStatus} IN ('pending', 'synced', 'failed')`),
    check(
      "users_status_check",
      sql`${t.status} IN ('pending_verification', 'pending_approval', 'active', 'suspended', 'deactivated')`,
    ),
  ],
);

export const roles = pgTable("roles", {
  id: uuid("id").primaryKey().defaultRandom(),
  name: varchar("name", { length: 50 }).notNull().unique(),
  description: text("description"),
  isSystem: boolean("is_system").notNull().default(false),
  ...timestamps,
});

export const permissions = pgTable("permissions", {
  id: uuid("id").primaryKey().defaultRandom(),
  name: varchar("name", { length: 100 }).notNull().unique(),
  description: text("description"),
  ...timestamps,
});

export const rolePermissions = pgTable(
  "role_permissions",
  {
    roleId: uuid("role_id")
      .notNull()
      .references(() => roles.id, { onDelete: "cascade" }),
    permissionId: uuid("permission_id")
      .notNull()
      .references(() => permissions.id, { onDelete: "cascade" }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.roleId, t.permissionId] }),
    index("idx_role_permissions_permission").on(t.permissionId),
  ],
);

export const userRoles = pgTable(
  "user_roles",
  {
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    roleId: uuid("role_id")
      .notNull()
      .references(() => roles.id, { onDelete: "cascade" }),
    assignedAt: timestamp("assigned_at", { withTimezone: true }).notNull().defaultNow(),
    assignedBy: uuid("assigned_by").references(() => users.id, { onDelete: "set null" }),
  },
  (t) => [
    primaryKey({ columns: [t.userId, t.roleId] }),
    // (role, user) so paging a role's holders for cache invalidation is an index range scan.
    index("idx_user_roles_role_user").on(t.roleId, t.userId),
  ],
);

export const refreshTokens = pgTable(
  "refresh_tokens",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    familyId: uuid("family_id").notNull(),
    parentId: uuid("parent_id"),
    tokenHash: varchar("token_hash", { length: 64 }).notNull().unique(),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
    // The session's absolute end, copied to every successor. The default only fills the rows
    // that existed before the column (30 days, the setting's default); the repository always sets it.
    sessionExpiresAt: timestamp("session_expires_at", { withTimezone: true })
      .notNull()
      .default(sql`now() + interval '30 days'`),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    lastUsedAt: timestamp("last_used_at", { withTimezone: true }),
    revokedAt: timestamp("revoked_at", { withTimezone: true }),
    revokedReason: varchar("revoked_reason", { length: 50 }),
    replacedBy: uuid("replaced_by"),
    userAgent: text("user_agent"),
    ipAddress: inet("ip_address"),
  },
  (t) => [
    index("idx_refresh_tokens_user").on(t.userId).where(sql`${t.revokedAt} IS NULL`),
    // The store itself refuses a forked family: at most one active token per session.
    uniqueIndex("refresh_tokens_one_active_per_family").on(t.familyId).where(sql`${t.revokedAt} IS NULL`),
    index("idx_refresh_tokens_family").on(t.familyId),
    index("idx_refresh_tokens_expires").on(t.expiresAt),
    index("idx_refresh_tokens_revoked").on(t.revokedAt).where(sql`${t.revokedAt} IS NOT NULL`),
  ],
);

export const auditLogs = pgTable(
  "audit_logs",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    timestamp: timestamp("timestamp", { withTimezone: true }).notNull().defaultNow(),
    // No foreign key: the trail keeps the actor's id after the user row is permanently deleted.
    userId: uuid("user_id"),
    action: varchar("action", { length: 100 }).notNull(),
    resourceType: varchar("resource_type", { length: 50 }).notNull(),
    resourceId: uuid("resource_id"),
    ipAddress: inet("ip_address"),
    userAgent: text("user_agent"),
    requestId: varchar("request_id", { length: 128 }),
    status: varchar("status", { length: 20 }).notNull().default("success"),
    details: jsonb("details"),
    durationMs: integer("duration_ms"),
  },
  (t) => [
    // The admin list is newest first under equality filters: each filter's index ends with the
    // timestamp, so a filtered page is read in order from the index instead of sorted.
    index("idx_audit_logs_timestamp").on(t.timestamp.desc()),
    index("idx_audit_logs_user").on(t.userId, t.timestamp.desc()),
    index("idx_audit_logs_action").on(t.action, t.timestamp.desc()),
    index("idx_audit_logs_resource").on(t.resourceType, t.resourceId, t.timestamp.desc()),
    index("idx_audit_logs_status").on(t.status, t.timestamp.desc()),
  ],
);

export const mailOutbox = pgTable(
  "mail_outbox",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    recipient: varchar("recipient", { length: 255 }).notNull(),
    template: varchar("template", { length: 64 }).notNull(),
    // Template data, which can hold a one-time code: the sender clears it once delivered.
    payload: jsonb("payload"),
    status: varchar("status", { length: 16 }).notNull().default("pending"),
    attempts: integer("attempts").notNull().default(0),
    nextAttemptAt: timestamp("next_attempt_at", { withTimezone: true }).notNull().defaultNow(),
    lastError: text("last_error"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    sentAt: timestamp("sent_at", { withTimezone: true }),
  },
  (t) => [
    index("idx_mail_outbox_due").on(t.nextAttemptAt).where(sql`${t.status} = 'pending'`),
    check("mail_outbox_status_check", sql`${t.status} IN ('pending', 'sent', 'failed')`),
  ],
);

export const oneTimeCodes = pgTable(
  "one_time_codes",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    purpose: varchar("purpose", { length: 32 }).notNull(),
    // The address the code went to: for an email change, the new address it proves.
    email: varchar("email", { length: 255 }).notNull(),
    // Keyed hashes (HMAC-SHA256, hex): neither the code nor the link token is stored.
    codeHash: varchar("code_hash", { length: 64 }).notNull(),
    tokenHash: varchar("token_hash", { length: 64 }).notNull().unique(),
    attempts: integer("attempts").notNull().default(0),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    usedAt: timestamp("used_at", { withTimezone: true }),
    revokedAt: timestamp("revoked_at", { withTimezone: true }),
  },
  (t) => [
    // A new code replaces the old one; the store refuses two live codes for one purpose.
    uniqueIndex("one_time_codes_one_live_per_purpose")
      .on(t.userId, t.purpose)
      .where(sql`${t.usedAt} IS NULL AND ${t.revokedAt} IS NULL`),
    index("idx_one_time_codes_user").on(t.userId),
    index("idx_one_time_codes_expires").on(t.expiresAt),
    check("one_time_codes_purpose_check", sql`${t.purpose} IN ('verify_email', 'change_email', 'reset_password')`),
    check("one_time_codes_attempts_check", sql`${t.attempts} >= 0`),
  ],
);

/**
 * Device tokens (README "Lockout"): a client that signed in to the account with the right
 * password; only a keyed hash of the token is stored. A login revokes the token it presented.
 */
export const deviceTokens = pgTable(
  "device_tokens",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    tokenHash: varchar("token_hash", { length: 64 }).notNull().unique(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
    revokedAt: timestamp("revoked_at", { withTimezone: true }),
    userAgent: text("user_agent"),
    ipAddress: inet("ip_address"),
  },
  (t) => [
    index("idx_device_tokens_user").on(t.userId).where(sql`${t.revokedAt} IS NULL`),
    index("idx_device_tokens_expires").on(t.expiresAt),
  ],
);

/** One row per mail send that a throttle allowed, keyed by a keyed hash of what was asked for. */
export const mailThrottle = pgTable(
  "mail_throttle",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    key: varchar("key", { length: 64 }).notNull(),
    sentAt: timestamp("sent_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("idx_mail_throttle_key").on(t.key, t.sentAt), index("idx_mail_throttle_sent_at").on(t.sentAt)],
);
