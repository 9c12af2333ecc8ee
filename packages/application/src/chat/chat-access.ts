import { type ChatRepository, type ChatRoom, DomainError, hasPermission, type UserAccess } from "@gatehouse/domain";
import type { LoadAccess } from "../auth/load-access.js";

/** Who is asking: the user and what they hold now. */
export interface ChatViewer {
  readonly userId: string;
  readonly access: UserAccess;
}

export const roomNotFound = () => new DomainError("NOT_FOUND", "Chat room not found");

/**
 * The room if `viewer` may see it. A private room is visible to its members and to holders of
 * `chat:manage`; anyone else is told it does not exist, the same answer as for a missing room.
 */
export async function visibleRoom(
  chat: Pick<ChatRepository, "findRoom" | "isMember">,
  roomId: string,
  viewer: ChatViewer,
): Promise<ChatRoom> {
  const room = await chat.findRoom(roomId);
  if (room === undefined) throw roomNotFound();
  if (room.isPrivate && !hasPermission(viewer.access, "chat:manage") && !(await chat.isMember(roomId, viewer.userId))) {
    throw roomNotFound();
  }
  return room;
}

/** What the user holds now, refusing when it lacks `permission` (or can no longer hold a session). */
export async function requireChatPermission(
  loadAccess: LoadAccess,
  userId: string,
  permission: "chat:read" | "chat:write",
): Promise<ChatViewer> {
  const access = await loadAccess(userId);
  if (access === undefined) throw new DomainError("SESSION_REVOKED", "Account can no longer hold a session");
  if (!hasPermission(access, permission)) {
    throw new DomainError("INSUFFICIENT_PERMISSIONS", "You do not have the permission this action requires", {
      required_permission: permission,
    });
  }
  return { userId, access };
}
