// Chat tables (README "Chat").
import { sql } from "drizzle-orm";
import { bigint, boolean, index, pgTable, primaryKey, text, timestamp, uuid, varchar } from "drizzle-orm/pg-core";
import { timestamps, users } from "./schema.js";

/** Chat rooms; `last_message_id` is the room's message counter (README "Chat"). */
export const chatRooms = pgTable("chat_rooms", {
  id: varchar("id", { length: 64 }).primaryKey(),
  name: varchar("name", { length: 100 }).notNull(),
  description: text("description"),
  isPrivate: boolean("is_private").notNull().default(false),
  createdBy: uuid("created_by").references(() => users.id, { onDelete: "set null" }),
  lastMessageId: bigint("last_message_id", { mode: "bigint" }).notNull().default(sql`0`),
  ...timestamps,
});

/** Members of private rooms. */
export const chatRoomMembers = pgTable(
  "chat_room_members",
  {
    roomId: varchar("room_id", { length: 64 })
      .notNull()
      .references(() => chatRooms.id, { onDelete: "cascade" }),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    addedAt: timestamp("added_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.roomId, t.userId] }), index("idx_chat_room_members_user").on(t.userId)],
);

/**
 * Messages, numbered per room: the primary key (room_id, id) serves history pages (newest
 * first before a cursor) and replay (after an id) as one index range scan.
 */
export const chatMessages = pgTable(
  "chat_messages",
  {
    roomId: varchar("room_id", { length: 64 })
      .notNull()
      .references(() => chatRooms.id, { onDelete: "cascade" }),
    id: bigint("id", { mode: "bigint" }).notNull(),
    // No foreign key: a message outlives its author's purge, and system messages have no author.
    senderId: uuid("sender_id").notNull(),
    senderName: varchar("sender_name", { length: 255 }).notNull(),
    content: text("content").notNull(),
    isSystem: boolean("is_system").notNull().default(false),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.roomId, t.id] }), index("idx_chat_messages_created_at").on(t.createdAt)],
);
