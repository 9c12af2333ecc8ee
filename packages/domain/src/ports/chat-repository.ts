import type { ChatMessage, ChatRoom, NewChatMessage } from "../chat/chat-room.js";
import type { AuditLog } from "./audit-log.js";

/** Fields of a new room. */
export interface NewChatRoom {
  readonly id: string;
  readonly name: string;
  readonly description: string | null;
  readonly isPrivate: boolean;
  readonly createdBy: string;
  readonly at: Date;
}

/** Changes to a room; absent fields stay. */
export interface ChatRoomPatch {
  readonly name?: string;
  readonly description?: string | null;
  readonly isPrivate?: boolean;
}

/** A window of a room's history. Ids are compared as numbers (they are a per-room sequence). */
export interface MessageWindow {
  /** Only messages with a smaller id (the history cursor). */
  readonly before?: string;
  /** Only messages with a larger id (resume after a reconnect). */
  readonly after?: string;
  readonly limit: number;
  /** `newest` for history pages; `oldest` for replay, which must start right after `after`. */
  readonly order: "newest" | "oldest";
}

/** Rooms, their members and their messages (PostgreSQL tables `chat_rooms`, `chat_room_members`, `chat_messages`). */
export interface ChatRepository {
  /** Public rooms plus the private rooms `userId` is a member of (every room when `all`), by id, with member counts. */
  listRooms(userId: string, all: boolean): Promise<Array<ChatRoom & { readonly memberCount: number }>>;
  findRoom(id: string): Promise<ChatRoom | undefined>;
  isMember(roomId: string, userId: string): Promise<boolean>;
  /** Undefined when a room with that id exists already. */
  createRoom(room: NewChatRoom): Promise<ChatRoom | undefined>;
  /** Undefined when there is no such room. */
  updateRoom(id: string, patch: ChatRoomPatch, at: Date): Promise<ChatRoom | undefined>;
  /** Deletes the room with its members and messages; false when there was none. */
  deleteRoom(id: string): Promise<boolean>;
  /** Adds a member; false when the user already was one. The caller checked room and user exist. */
  addMember(roomId: string, userId: string, at: Date): Promise<boolean>;
  /** False when the user was not a member. */
  removeMember(roomId: string, userId: string): Promise<boolean>;
  /**
   * Stores a message under the room's next id. Messages of one room are numbered one after the
   * other in commit order (the room row is locked while its counter moves), so a reader that has
   * seen id n and then sees n + 2 knows n + 1 exists. Undefined when the room no longer exists.
   */
  appendMessage(message: NewChatMessage): Promise<ChatMessage | undefined>;
  listMessages(roomId: string, window: MessageWindow): Promise<ChatMessage[]>;
  /** Deletes up to `batchSize` messages created before `cutoff`; returns how many. */
  deleteMessagesBefore(cutoff: Date, batchSize: number): Promise<number>;
}

/** Room administration and its audit entry in one transaction: both are stored, or neither. */
export interface ChatUnitOfWork {
  run<T>(work: (tx: { readonly chat: ChatRepository; readonly auditLog: AuditLog }) => Promise<T>): Promise<T>;
}
