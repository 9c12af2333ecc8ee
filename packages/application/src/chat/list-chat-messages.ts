import {
  type ChatMessage,
  type ChatRepository,
  HISTORY_PAGE_DEFAULT,
  HISTORY_PAGE_MAX,
  isMessageId,
  validationError,
} from "@gatehouse/domain";
import type { LoadAccess } from "../auth/load-access.js";
import { requireChatPermission, visibleRoom } from "./chat-access.js";

export interface ListChatMessagesDeps {
  readonly chat: Pick<ChatRepository, "findRoom" | "isMember" | "listMessages">;
  readonly loadAccess: LoadAccess;
}

export interface MessagePage {
  readonly messages: readonly ChatMessage[];
  /** The `before` of the next (older) page; null on the last page. */
  readonly nextBefore: string | null;
}

/**
 * One page of a room's history, newest first, older than `before`. The cursor is a message id,
 * so a page does not shift when messages arrive meanwhile.
 */
export function makeListChatMessages(deps: ListChatMessagesDeps) {
  return async function listChatMessages(
    userId: string,
    roomId: string,
    query: { readonly before?: string | undefined; readonly limit?: number | undefined },
  ): Promise<MessagePage> {
    const limit = query.limit ?? HISTORY_PAGE_DEFAULT;
    const issues = [];
    if (query.before !== undefined && !isMessageId(query.before)) {
      issues.push({ field: "before", message: "must be a message id" });
    }
    if (!Number.isInteger(limit) || limit < 1 || limit > HISTORY_PAGE_MAX) {
      issues.push({ field: "limit", message: `must be an integer from 1 to ${HISTORY_PAGE_MAX}` });
    }
    if (issues.length > 0) throw validationError(issues);
    const viewer = await requireChatPermission(deps.loadAccess, userId, "chat:read");
    await visibleRoom(deps.chat, roomId, viewer);
    const rows = await deps.chat.listMessages(roomId, { before: query.before, limit: limit + 1, order: "newest" });
    const messages = rows.slice(0, limit);
    const last = messages.at(-1);
    return { messages, nextBefore: rows.length > limit && last ? last.id : null };
  };
}

export type ListChatMessages = ReturnType<typeof makeListChatMessages>;
