import {
  type ChatBus,
  type ChatUnitOfWork,
  type Clock,
  DomainError,
  GENERAL_ROOM_ID,
  type RequestContext,
} from "@gatehouse/domain";
import { auditEntryFor } from "../shared/audit-entry-for.js";
import { roomNotFound } from "./chat-access.js";
import { announceRoomChange } from "./room-change.js";

export interface DeleteChatRoomDeps {
  readonly chatUow: ChatUnitOfWork;
  readonly bus: Pick<ChatBus, "publish">;
  readonly clock: Clock;
}

/** Deletes a room with its members and history (`chat:manage`); `general` stays. Sockets in it are told. */
export function makeDeleteChatRoom(deps: DeleteChatRoomDeps) {
  return async function deleteChatRoom(roomId: string, actorId: string, ctx: RequestContext): Promise<void> {
    if (roomId === GENERAL_ROOM_ID) throw new DomainError("FORBIDDEN", "The general room cannot be deleted");
    await deps.chatUow.run(async (tx) => {
      if (!(await tx.chat.deleteRoom(roomId))) throw roomNotFound();
      await tx.auditLog.append(
        auditEntryFor(deps.clock, ctx, {
          action: "chat.room_delete",
          userId: actorId,
          resourceType: "chat_room",
          resourceId: null,
          details: { room_id: roomId },
        }),
      );
    });
    await announceRoomChange(deps.bus, roomId);
  };
}

export type DeleteChatRoom = ReturnType<typeof makeDeleteChatRoom>;
