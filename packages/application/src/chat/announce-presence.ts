import { type ChatBus, type ChatRepository, type Clock, SYSTEM_SENDER_ID, SYSTEM_SENDER_NAME } from "@gatehouse/domain";
import type { ChatSender } from "./post-chat-message.js";
import { publishQuietly } from "./post-chat-message.js";

export interface AnnouncePresenceDeps {
  readonly chat: Pick<ChatRepository, "appendMessage">;
  readonly bus: Pick<ChatBus, "publish">;
  readonly clock: Clock;
}

/**
 * A user's socket joined or left a room: a system message ("… has joined the chat"), stored
 * like any message so history shows it, and a `user_joined`/`user_left` notice.
 */
export function makeAnnouncePresence(deps: AnnouncePresenceDeps) {
  return async function announcePresence(user: ChatSender, roomId: string, joined: boolean): Promise<void> {
    const message = await deps.chat.appendMessage({
      roomId,
      senderId: SYSTEM_SENDER_ID,
      senderName: SYSTEM_SENDER_NAME,
      content: `${user.name} has ${joined ? "joined" : "left"} the chat`,
      system: true,
      createdAt: deps.clock.now(),
    });
    if (message !== undefined) await publishQuietly(deps.bus, { kind: "message", message });
    await publishQuietly(deps.bus, { kind: "presence", roomId, joined, userId: user.userId, userName: user.name });
  };
}

export type AnnouncePresence = ReturnType<typeof makeAnnouncePresence>;
