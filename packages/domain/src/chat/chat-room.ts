import type { FieldIssue } from "../errors/domain-error.js";

/** A chat room; its id is a slug (`general`) that also names it in URLs and frames. */
export interface ChatRoom {
  readonly id: string;
  readonly name: string;
  readonly description: string | null;
  /** Private rooms are visible to their members only; everyone else is told they do not exist. */
  readonly isPrivate: boolean;
  readonly createdBy: string | null;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

/** A room as the listing shows it: how many members it has and how many users are online. */
export interface ChatRoomSummary extends ChatRoom {
  /** Explicit members (private rooms); 0 for public rooms, which have none. */
  readonly memberCount: number;
  /** Distinct users with a socket joined to the room right now. */
  readonly onlineCount: number;
}

/** A stored message. `id` is the room's sequence number, as a decimal string (it is a bigint). */
export interface ChatMessage {
  readonly id: string;
  readonly roomId: string;
  /** The author; the all-zero id for system messages. */
  readonly senderId: string;
  readonly senderName: string;
  readonly content: string;
  readonly system: boolean;
  readonly createdAt: Date;
}

/** What a use case asks the repository to store; the repository assigns the id. */
export interface NewChatMessage {
  readonly roomId: string;
  readonly senderId: string;
  readonly senderName: string;
  readonly content: string;
  readonly system: boolean;
  readonly createdAt: Date;
}

/** The room every migrated installation has. */
export const GENERAL_ROOM_ID = "general";
/** The sender of join/leave notices, as clients of the protocol expect it. */
export const SYSTEM_SENDER_ID = "00000000-0000-0000-0000-000000000000";
export const SYSTEM_SENDER_NAME = "System";

const ROOM_SLUG = /^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/;
export const ROOM_NAME_MAX = 100;
export const ROOM_DESCRIPTION_MAX = 500;

/** Room ids: 1-64 lower-case letters, digits and inner '-'. */
export function checkRoomSlug(value: string, field = "id"): FieldIssue | undefined {
  return ROOM_SLUG.test(value)
    ? undefined
    : { field, message: "must be 1-64 lower-case letters, digits and '-', not starting or ending with '-'" };
}

export function checkRoomName(value: string, field = "name"): FieldIssue | undefined {
  const trimmed = value.trim();
  return trimmed.length >= 1 && trimmed.length <= ROOM_NAME_MAX
    ? undefined
    : { field, message: `must be 1-${ROOM_NAME_MAX} characters` };
}

/** The name shown next to a user's messages: the full name when set, else the username. */
export function displayName(user: { readonly username: string; readonly fullName: string | null }): string {
  const full = user.fullName?.trim();
  return full === undefined || full === "" ? user.username : full;
}
