import type { ChatMessage, ChatRepository, ChatRoom, ChatUnitOfWork } from "@gatehouse/domain";
import { and, asc, count, desc, eq, gt, lt, or, type SQL, sql } from "drizzle-orm";
import { makeAuditLog } from "../db/audit-log.js";
import { type Database, rowsOf } from "../db/database.js";
import { chatMessages, chatRoomMembers, chatRooms } from "../db/schema-chat.js";

type RoomRow = typeof chatRooms.$inferSelect;
type MessageRow = typeof chatMessages.$inferSelect;

function toRoom(row: Omit<RoomRow, "lastMessageId">): ChatRoom {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    isPrivate: row.isPrivate,
    createdBy: row.createdBy,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

function toMessage(row: MessageRow): ChatMessage {
  return {
    id: row.id.toString(),
    roomId: row.roomId,
    senderId: row.senderId,
    senderName: row.senderName,
    content: row.content,
    system: row.isSystem,
    createdAt: new Date(row.createdAt),
  };
}

const roomColumns = {
  id: chatRooms.id,
  name: chatRooms.name,
  description: chatRooms.description,
  isPrivate: chatRooms.isPrivate,
  createdBy: chatRooms.createdBy,
  createdAt: chatRooms.createdAt,
  updatedAt: chatRooms.updatedAt,
};

/** Drizzle adapter of the chat tables. */
export function makeChatRepository(db: Database): ChatRepository {
  return {
    async listRooms(userId, all) {
      const members = db
        .select({ roomId: chatRoomMembers.roomId, members: count().as("members") })
        .from(chatRoomMembers)
        .groupBy(chatRoomMembers.roomId)
        .as("members");
      const visible: SQL | undefined = all
        ? undefined
        : or(
            eq(chatRooms.isPrivate, false),
            sql`EXISTS (SELECT 1 FROM ${chatRoomMembers} m WHERE m.room_id = ${chatRooms.id} AND m.user_id = ${userId})`,
          );
      const rows = await db
        .select({ ...roomColumns, memberCount: sql<number>`coalesce(${members.members}, 0)::int` })
        .from(chatRooms)
        .leftJoin(members, eq(members.roomId, chatRooms.id))
        .where(visible)
        .orderBy(asc(chatRooms.id));
      return rows.map((row) => ({ ...toRoom(row), memberCount: Number(row.memberCount) }));
    },

    async findRoom(id) {
      const [row] = await db.select().from(chatRooms).where(eq(chatRooms.id, id));
      return row && toRoom(row);
    },

    async isMember(roomId, userId) {
      const [row] = await db
        .select({ roomId: chatRoomMembers.roomId })
        .from(chatRoomMembers)
        .where(and(eq(chatRoomMembers.roomId, roomId), eq(chatRoomMembers.userId, userId)));
      return row !== undefined;
    },

    async createRoom(room) {
      const [row] = await db
        .insert(chatRooms)
        .values({
          id: room.id,
          name: room.name,
          description: room.description,
          isPrivate: room.isPrivate,
          createdBy: room.createdBy,
          createdAt: room.at,
          updatedAt: room.at,
        })
        .onConflictDoNothing({ target: chatRooms.id })
        .returning();
      return row && toRoom(row);
    },

    async updateRoom(id, patch, at) {
      const [row] = await db
        .update(chatRooms)
        .set({ ...patch, updatedAt: at })
        .where(eq(chatRooms.id, id))
        .returning();
      return row && toRoom(row);
    },

    async deleteRoom(id) {
      const rows = await db.delete(chatRooms).where(eq(chatRooms.id, id)).returning({ id: chatRooms.id });
      return rows.length > 0;
    },

    async addMember(roomId, userId, at) {
      const rows = await db
        .insert(chatRoomMembers)
        .values({ roomId, userId, addedAt: at })
        .onConflictDoNothing()
        .returning({ roomId: chatRoomMembers.roomId });
      return rows.length > 0;
    },

    async removeMember(roomId, userId) {
      const rows = await db
        .delete(chatRoomMembers)
        .where(and(eq(chatRoomMembers.roomId, roomId), eq(chatRoomMembers.userId, userId)))
        .returning({ roomId: chatRoomMembers.roomId });
      return rows.length > 0;
    },

    async appendMessage(message) {
      // One statement: the UPDATE locks the room row until the INSERT commits, so the room's ids
      // are handed out, and become visible, one after the other.
      const result = await db.execute(sql`
        WITH next AS (
          UPDATE ${chatRooms} SET last_message_id = last_message_id + 1
          WHERE id = ${message.roomId} RETURNING last_message_id
        )
        INSERT INTO ${chatMessages} (room_id, id, sender_id, sender_name, content, is_system, created_at)
        SELECT ${message.roomId}, next.last_message_id, ${message.senderId}, ${message.senderName},
               ${message.content}, ${message.system}, ${message.createdAt.toISOString()}
        FROM next
        RETURNING id::text AS id`);
      const [row] = rowsOf<{ id: string }>(result);
      return row && { ...message, id: row.id };
    },

    async listMessages(roomId, window) {
      const conditions: SQL[] = [eq(chatMessages.roomId, roomId)];
      if (window.before !== undefined) conditions.push(lt(chatMessages.id, BigInt(window.before)));
      if (window.after !== undefined) conditions.push(gt(chatMessages.id, BigInt(window.after)));
      const rows = await db
        .select()
        .from(chatMessages)
        .where(and(...conditions))
        .orderBy(window.order === "newest" ? desc(chatMessages.id) : asc(chatMessages.id))
        .limit(window.limit);
      return rows.map(toMessage);
    },

    async deleteMessagesBefore(cutoff, batchSize) {
      const deleted = await db.execute(sql`
        DELETE FROM ${chatMessages} WHERE (room_id, id) IN (
          SELECT room_id, id FROM ${chatMessages} WHERE created_at < ${cutoff.toISOString()} LIMIT ${batchSize}
        ) RETURNING id`);
      return rowsOf(deleted).length;
    },
  };
}

/** Each `run` is one database transaction holding the chat tables and the audit log. */
export function makeChatUnitOfWork(db: Database): ChatUnitOfWork {
  return {
    run: (work) =>
      db.transaction((tx) => {
        const scoped = tx as unknown as Database;
        return work({ chat: makeChatRepository(scoped), auditLog: makeAuditLog(scoped) });
      }),
  };
}
