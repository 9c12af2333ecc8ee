import type { ChatUseCases } from "@gatehouse/api";
import {
  makeAddChatMember,
  makeAnnouncePresence,
  makeAuthenticate,
  makeChatHub,
  makeChatPresenceSync,
  makeCreateChatRoom,
  makeDeleteChatRoom,
  makeGetCurrentUser,
  makeIdentifyChatUser,
  makeJoinChatRoom,
  makeListChatMessages,
  makeListChatRooms,
  makeLoadAccess,
  makePostChatMessage,
  makeRemoveChatMember,
  makeUpdateChatRoom,
} from "@gatehouse/application";
import type { ChatBus, ChatPresenceBoard } from "@gatehouse/domain";
import {
  MemoryChatBus,
  MemoryChatPresenceBoard,
  makeChatRepository,
  makeChatUnitOfWork,
  RedisChatBus,
  RedisChatPresenceBoard,
} from "@gatehouse/infrastructure";
import type { Wiring } from "./wiring.js";

/**
 * Chat (README "Chat"): rooms and messages in PostgreSQL, fan-out through Redis pub/sub when
 * Redis is configured (in-process otherwise), sockets closed as their sessions are revoked.
 * Presence (`online_count`) is shared on the same terms: a Redis board, or an in-process one.
 */
export function wireChat(deps: Wiring): ChatUseCases {
  const { config, clock } = deps;
  const { limits } = config.chat;
  const chat = makeChatRepository(deps.database.db);
  const chatUow = makeChatUnitOfWork(deps.database.db);
  const { users } = deps.repositories;
  const bus: ChatBus = deps.redis === undefined ? new MemoryChatBus() : new RedisChatBus(deps.redis, deps.logger);
  const loadAccess = makeLoadAccess({ users, cache: deps.cache });
  const onError = (error: unknown, what: string) => deps.logger.warn({ err: error }, `chat: ${what} failed`);
  const hub = makeChatHub({
    chat,
    bus,
    revokedSessions: deps.revocations,
    maxSocketsPerUser: limits.maxSocketsPerUser,
    maxReplay: limits.maxReplay,
    onError,
  });
  const ttlMs = config.chat.presenceTtlSeconds * 1000;
  const board: ChatPresenceBoard =
    deps.redis === undefined
      ? new MemoryChatPresenceBoard({ ttlMs, clock })
      : new RedisChatPresenceBoard(deps.redis, ttlMs);
  const presence = makeChatPresenceSync({ hub, board, heartbeatMs: Math.floor(ttlMs / 3), onError });
  const change = { chatUow, bus, clock };
  return {
    listRooms: makeListChatRooms({ chat, loadAccess, presence }),
    createRoom: makeCreateChatRoom({ chatUow, clock }),
    updateRoom: makeUpdateChatRoom(change),
    deleteRoom: makeDeleteChatRoom(change),
    addMember: makeAddChatMember({ ...change, users }),
    removeMember: makeRemoveChatMember({ ...change, users }),
    listMessages: makeListChatMessages({ chat, loadAccess }),
    identify: makeIdentifyChatUser({
      authenticate: makeAuthenticate({ accessTokens: deps.accessTokens, revocations: deps.revocations }),
      getCurrentUser: makeGetCurrentUser({ users, cache: deps.cache }),
    }),
    joinRoom: makeJoinChatRoom({ chat, loadAccess }),
    postMessage: makePostChatMessage({
      chat,
      bus,
      loadAccess,
      limiter: deps.rateLimiter,
      sendRate: limits.sendRate,
      maxContentLength: limits.maxContentLength,
      clock,
    }),
    announcePresence: makeAnnouncePresence({ chat, bus, clock }),
    hub,
    presence,
    limits,
    allowQueryToken: config.chat.allowQueryToken,
  };
}
