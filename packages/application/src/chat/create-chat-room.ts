import {
  type ChatRoom,
  type ChatUnitOfWork,
  type Clock,
  checkRoomSlug,
  DomainError,
  type RequestContext,
} from "@gatehouse/domain";
import { auditEntryFor } from "../shared/audit-entry-for.js";
import { assertRoomFields } from "./room-input.js";

export interface CreateChatRoomDeps {
  readonly chatUow: ChatUnitOfWork;
  readonly clock: Clock;
}

export interface CreateChatRoomInput {
  readonly id: string;
  readonly name: string;
  readonly description?: string | null;
  readonly isPrivate?: boolean;
}

/** Creates a room (`chat:manage`), audited as `chat.room_create` in the same transaction. */
export function makeCreateChatRoom(deps: CreateChatRoomDeps) {
  return async function createChatRoom(
    input: CreateChatRoomInput,
    actorId: string,
    ctx: RequestContext,
  ): Promise<ChatRoom> {
    assertRoomFields({ name: input.name, description: input.description, extra: checkRoomSlug(input.id) });
    return deps.chatUow.run(async (tx) => {
      const room = await tx.chat.createRoom({
        id: input.id,
        name: input.name.trim(),
        description: input.description ?? null,
        isPrivate: input.isPrivate === true,
        createdBy: actorId,
        at: deps.clock.now(),
      });
      if (room === undefined) throw new DomainError("CONFLICT", "A chat room with this id exists already");
      await tx.auditLog.append(
        auditEntryFor(deps.clock, ctx, {
          action: "chat.room_create",
          userId: actorId,
          resourceType: "chat_room",
          // Audit resource ids are UUIDs; a room's slug goes in the details.
          resourceId: null,
          details: { room_id: room.id, private: room.isPrivate },
        }),
      );
      return room;
    });
  };
}

export type CreateChatRoom = ReturnType<typeof makeCreateChatRoom>;
