import { type ChatRepository, type ChatRoomSummary, hasPermission } from "@gatehouse/domain";
import type { LoadAccess } from "../auth/load-access.js";
import { requireChatPermission } from "./chat-access.js";

/** Who is online where, over every node (`ChatPresenceSync` answers it). */
export interface ChatPresence {
  /** Distinct users with a socket joined to each of the rooms, on any live node. */
  onlineCounts(roomIds: readonly string[]): Promise<ReadonlyMap<string, number>>;
}

export interface ListChatRoomsDeps {
  readonly chat: Pick<ChatRepository, "listRooms">;
  readonly loadAccess: LoadAccess;
  readonly presence: ChatPresence;
}

/** The rooms the caller may see (`chat:read`): public ones and the private ones it belongs to. */
export function makeListChatRooms(deps: ListChatRoomsDeps) {
  return async function listChatRooms(userId: string): Promise<ChatRoomSummary[]> {
    const viewer = await requireChatPermission(deps.loadAccess, userId, "chat:read");
    const rooms = await deps.chat.listRooms(userId, hasPermission(viewer.access, "chat:manage"));
    const online = await deps.presence.onlineCounts(rooms.map((room) => room.id));
    return rooms.map((room) => ({ ...room, onlineCount: online.get(room.id) ?? 0 }));
  };
}

export type ListChatRooms = ReturnType<typeof makeListChatRooms>;
