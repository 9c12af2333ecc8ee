import {
  type ChatBus,
  type ChatUnitOfWork,
  type Clock,
  DomainError,
  type RequestContext,
  type UserRepository,
  validationError,
} from "@gatehouse/domain";
import { auditEntryFor } from "../shared/audit-entry-for.js";
import { roomNotFound } from "./chat-access.js";
import { announceRoomChange } from "./room-change.js";

export interface ChangeChatMemberDeps {
  readonly chatUow: ChatUnitOfWork;
  readonly users: Pick<UserRepository, "find">;
  readonly bus: Pick<ChatBus, "publish">;
  readonly clock: Clock;
}

/** Whether the call changed anything (adding a member twice, or removing a non-member, does not). */
export interface MemberChange {
  readonly changed: boolean;
}

/**
 * Adds (`add: true`) or removes a member of a private room (`chat:manage`), audited as
 * `chat.member_add` / `chat.member_remove`. A removed member's sockets leave the room.
 */
function changeMember(deps: ChangeChatMemberDeps, add: boolean) {
  return async (roomId: string, userId: string, actorId: string, ctx: RequestContext): Promise<MemberChange> => {
    // Outside the transaction: the user lookup is not part of it (and PGlite has one connection).
    if (add && (await deps.users.find(userId)) === undefined) {
      throw new DomainError("USER_NOT_FOUND", "User not found");
    }
    const changed = await deps.chatUow.run(async (tx) => {
      const room = await tx.chat.findRoom(roomId);
      if (room === undefined) throw roomNotFound();
      if (!room.isPrivate) {
        throw validationError([{ field: "room_id", message: "only private rooms have members" }]);
      }
      const done = add
        ? await tx.chat.addMember(roomId, userId, deps.clock.now())
        : await tx.chat.removeMember(roomId, userId);
      if (done) {
        await tx.auditLog.append(
          auditEntryFor(deps.clock, ctx, {
            action: add ? "chat.member_add" : "chat.member_remove",
            userId: actorId,
            resourceType: "user",
            resourceId: userId,
            details: { room_id: roomId },
          }),
        );
      }
      return done;
    });
    if (changed && !add) await announceRoomChange(deps.bus, roomId);
    return { changed };
  };
}

export function makeAddChatMember(deps: ChangeChatMemberDeps) {
  return changeMember(deps, true);
}

export function makeRemoveChatMember(deps: ChangeChatMemberDeps) {
  return changeMember(deps, false);
}

export type AddChatMember = ReturnType<typeof makeAddChatMember>;
export type RemoveChatMember = ReturnType<typeof makeRemoveChatMember>;
