import type { ChatBus, ChatRoom, ChatRoomPatch, ChatUnitOfWork, Clock, RequestContext } from "@gatehouse/domain";
import { auditEntryFor } from "../shared/audit-entry-for.js";
import { roomNotFound } from "./chat-access.js";
import { announceRoomChange } from "./room-change.js";
import { assertRoomFields } from "./room-input.js";

export interface UpdateChatRoomDeps {
  readonly chatUow: ChatUnitOfWork;
  readonly bus: Pick<ChatBus, "publish">;
  readonly clock: Clock;
}

/**
 * Renames a room, changes its description or makes it private or public (`chat:manage`).
 * Sockets in the room re-check their access afterwards, so non-members leave a room made private.
 */
export function makeUpdateChatRoom(deps: UpdateChatRoomDeps) {
  return async function updateChatRoom(
    roomId: string,
    patch: ChatRoomPatch,
    actorId: string,
    ctx: RequestContext,
  ): Promise<ChatRoom> {
    assertRoomFields(patch);
    const cleaned = patch.name === undefined ? patch : { ...patch, name: patch.name.trim() };
    const room = await deps.chatUow.run(async (tx) => {
      const updated = await tx.chat.updateRoom(roomId, cleaned, deps.clock.now());
      if (updated === undefined) throw roomNotFound();
      await tx.auditLog.append(
        auditEntryFor(deps.clock, ctx, {
          action: "chat.room_update",
          userId: actorId,
          resourceType: "chat_room",
          resourceId: null,
          details: { room_id: roomId, fields: Object.keys(cleaned) },
        }),
      );
      return updated;
    });
    await announceRoomChange(deps.bus, roomId);
    return room;
  };
}

export type UpdateChatRoom = ReturnType<typeof makeUpdateChatRoom>;
