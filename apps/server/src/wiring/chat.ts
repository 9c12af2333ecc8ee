import type { ChatUseCases } from "@gatehouse/api";
import {
  makeAddChatMember,
  makeAnnouncePresence,
  makeAuthenticate,
  makeChatHub,
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
import type { ChatBus } from "@gatehouse/domain";
import { MemoryChatBus, makeChatRepository, makeChatUnitOfWork, RedisChatBus } from "@gatehouse/infrastructure";
import type { Wiring } from "./wiring.js";

/**
 * Chat (README "Chat"): rooms and messages in PostgreSQL, fan-out through Redis pub/sub when
 * Redis is configured (in-process otherwise), sockets closed as their sessions are revoked.
 */
export function wireChat(deps: Wiring): ChatUseCases {
  const { config, clock } = deps;
  const { limits } = config.chat;
  const chat = makeChatRepository(deps.database.db);
  const chatUow = makeChatUnitOfWork(deps.database.db);
  const { users } = deps.repositories;
  const bus: ChatBus = deps.redis === undefined ? new MemoryChatBus() : new RedisChatBus(deps.redis, deps.logger);
  const loadAccess = makeLoadAccess({ users, cache: deps.cache });
  const hub = makeChatHub({
    chat,
    bus,
    revokedSessions: deps.revocations,
    maxSocketsPerUser: limits.maxSocketsPerUser,
    maxReplay: limits.maxReplay,
    onError: (error, what) => deps.logger.warn({ err: error }, `chat: ${what} failed`),
  });
  const change = { chatUow, bus, clock };
  return {
    listRooms: makeListChatRooms({ chat, loadAccess, presence: hub }),
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
    limits,
    allowQueryToken: config.chat.allowQueryToken,
  };
}
