import type { ChatRepository, ChatRoom } from "@gatehouse/domain";
import type { LoadAccess } from "../auth/load-access.js";
import { requireChatPermission, visibleRoom } from "./chat-access.js";

export interface JoinChatRoomDeps {
  readonly chat: Pick<ChatRepository, "findRoom" | "isMember">;
  readonly loadAccess: LoadAccess;
}

/**
 * Whether a user may be in a room now (`chat:read`, and membership for a private room): asked
 * on `connect`, and again for every socket in a room when the room or its members change.
 */
export function makeJoinChatRoom(deps: JoinChatRoomDeps) {
  return async function joinChatRoom(userId: string, roomId: string): Promise<ChatRoom> {
    const viewer = await requireChatPermission(deps.loadAccess, userId, "chat:read");
    return visibleRoom(deps.chat, roomId, viewer);
  };
}

export type JoinChatRoom = ReturnType<typeof makeJoinChatRoom>;
