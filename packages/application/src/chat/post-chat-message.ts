import {
  type ChatBus,
  type ChatMessage,
  type ChatRepository,
  type Clock,
  type RateLimiter,
  type RateLimitRule,
  rateLimitExceeded,
  validationError,
} from "@gatehouse/domain";
import type { LoadAccess } from "../auth/load-access.js";
import { requireChatPermission, roomNotFound } from "./chat-access.js";

export interface PostChatMessageDeps {
  readonly chat: Pick<ChatRepository, "appendMessage">;
  readonly bus: Pick<ChatBus, "publish">;
  readonly loadAccess: LoadAccess;
  readonly limiter: RateLimiter;
  readonly sendRate: RateLimitRule;
  readonly maxContentLength: number;
  readonly clock: Clock;
}

export interface ChatSender {
  readonly userId: string;
  readonly name: string;
}

/** Characters as a reader counts them (code points), not UTF-16 units. */
function characters(text: string): number {
  let count = 0;
  for (const _ of text) count += 1;
  return count;
}

/**
 * Sends a message to a room the sender's socket has joined (`chat:write`): checks the content
 * and the sender's rate (one budget across all of the user's sockets and nodes), stores the
 * message, then publishes it. Storing first means history and live delivery never disagree:
 * a message a socket received is in the history, and a publish lost in transit is found by
 * the receivers' gap check.
 */
export function makePostChatMessage(deps: PostChatMessageDeps) {
  return async function postChatMessage(sender: ChatSender, roomId: string, content: string): Promise<ChatMessage> {
    const length = characters(content);
    if (content.trim() === "" || length > deps.maxContentLength) {
      throw validationError([{ field: "content", message: `must be 1-${deps.maxContentLength} characters` }]);
    }
    await requireChatPermission(deps.loadAccess, sender.userId, "chat:write");
    const decision = await deps.limiter.hit(`chat-send:${sender.userId}`, deps.sendRate);
    if (!decision.allowed) throw rateLimitExceeded(decision, deps.sendRate);
    const message = await deps.chat.appendMessage({
      roomId,
      senderId: sender.userId,
      senderName: sender.name,
      content,
      system: false,
      createdAt: deps.clock.now(),
    });
    if (message === undefined) throw roomNotFound();
    await publishQuietly(deps.bus, { kind: "message", message });
    return message;
  };
}

/** Publishes; a transport failure is not the sender's: the message is stored and local sockets have it. */
export async function publishQuietly(
  bus: Pick<ChatBus, "publish">,
  event: Parameters<ChatBus["publish"]>[1],
): Promise<void> {
  const roomId = event.kind === "message" ? event.message.roomId : event.roomId;
  try {
    await bus.publish(roomId, event);
  } catch {
    // Other nodes find the message through their gap check or on their next resync.
  }
}

export type PostChatMessage = ReturnType<typeof makePostChatMessage>;
