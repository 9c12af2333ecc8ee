import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { type ChatRoomSummary, toMessageFrame } from "@gatehouse/domain";
import { Type } from "typebox";
import type { ChatUseCases } from "../../app-deps.js";
import { claimsOf } from "../../http/auth-hook.js";
import { requestContext } from "../../http/request-context.js";
import { Envelope, errorResponses, MessageOnly, ok } from "../../schemas/envelope.js";
import {
  CreateRoomBody,
  HistoryQuery,
  MemberBody,
  MemberParams,
  MessagePageData,
  RoomData,
  RoomParams,
  UpdateRoomBody,
} from "./chat-schemas.js";

const tags = ["chat"];
const security = [{ bearerAuth: [] }];
const BASE = "/api/v1/chat/rooms";

function roomResponse(
  room: ChatRoomSummary | (Omit<ChatRoomSummary, "memberCount" | "onlineCount"> & Partial<ChatRoomSummary>),
) {
  return {
    id: room.id,
    name: room.name,
    description: room.description,
    is_private: room.isPrivate,
    member_count: room.memberCount ?? 0,
    online_count: room.onlineCount ?? 0,
    created_at: room.createdAt.toISOString(),
    updated_at: room.updatedAt.toISOString(),
  };
}

/** Rooms, members and history (README "Chat"). A private room is 404 to whoever may not see it. */
export const chatRestRoutes: FastifyPluginAsyncTypebox<{ chat: ChatUseCases }> = async (app, { chat }) => {
  app.get(
    BASE,
    {
      config: { permission: "chat:read" },
      schema: {
        tags,
        security,
        operationId: "listChatRooms",
        summary: "List chat rooms",
        description: "Public rooms and the private rooms the caller belongs to (every room with chat:manage).",
        response: { 200: Envelope(Type.Array(RoomData)), ...errorResponses(401, 403) },
      },
    },
    async (request) => ok((await chat.listRooms(claimsOf(request).sub)).map(roomResponse)),
  );

  app.post(
    BASE,
    {
      config: { permission: "chat:manage" },
      schema: {
        tags,
        security,
        operationId: "createChatRoom",
        summary: "Create a chat room",
        body: CreateRoomBody,
        response: { 201: Envelope(RoomData), ...errorResponses(400, 401, 403, 409, 413, 415) },
      },
    },
    async (request, reply) => {
      const { id, name, description, is_private } = request.body;
      const room = await chat.createRoom(
        { id, name, description, isPrivate: is_private },
        claimsOf(request).sub,
        requestContext(request),
      );
      return reply.code(201).send(ok(roomResponse(room), "Chat room created"));
    },
  );

  app.put(
    `${BASE}/:room_id`,
    {
      config: { permission: "chat:manage" },
      schema: {
        tags,
        security,
        operationId: "updateChatRoom",
        summary: "Change a chat room",
        description: "Making a room private removes non-members' sockets from it.",
        params: RoomParams,
        body: UpdateRoomBody,
        response: { 200: Envelope(RoomData), ...errorResponses(400, 401, 403, 404, 413, 415) },
      },
    },
    async (request) => {
      const { name, description, is_private } = request.body;
      const patch = {
        ...(name === undefined ? {} : { name }),
        ...(description === undefined ? {} : { description }),
        ...(is_private === undefined ? {} : { isPrivate: is_private }),
      };
      const room = await chat.updateRoom(request.params.room_id, patch, claimsOf(request).sub, requestContext(request));
      return ok(roomResponse(room), "Chat room updated");
    },
  );

  app.delete(
    `${BASE}/:room_id`,
    {
      config: { permission: "chat:manage" },
      schema: {
        tags,
        security,
        operationId: "deleteChatRoom",
        summary: "Delete a chat room with its history",
        description: "The general room cannot be deleted (403 FORBIDDEN).",
        params: RoomParams,
        response: { 200: MessageOnly, ...errorResponses(401, 403, 404) },
      },
    },
    async (request) => {
      await chat.deleteRoom(request.params.room_id, claimsOf(request).sub, requestContext(request));
      return { success: true as const, message: "Chat room deleted" };
    },
  );

  app.post(
    `${BASE}/:room_id/members`,
    {
      config: { permission: "chat:manage" },
      schema: {
        tags,
        security,
        operationId: "addChatRoomMember",
        summary: "Add a member to a private room",
        params: RoomParams,
        body: MemberBody,
        response: {
          200: Envelope(Type.Object({ added: Type.Boolean() })),
          ...errorResponses(400, 401, 403, 404, 413, 415),
        },
      },
    },
    async (request) => {
      const { room_id } = request.params;
      const result = await chat.addMember(
        room_id,
        request.body.user_id,
        claimsOf(request).sub,
        requestContext(request),
      );
      return ok({ added: result.changed }, result.changed ? "Member added" : "Already a member");
    },
  );

  app.delete(
    `${BASE}/:room_id/members/:user_id`,
    {
      config: { permission: "chat:manage" },
      schema: {
        tags,
        security,
        operationId: "removeChatRoomMember",
        summary: "Remove a member from a private room",
        description: "The member's sockets leave the room.",
        params: MemberParams,
        response: { 200: Envelope(Type.Object({ removed: Type.Boolean() })), ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const { room_id, user_id } = request.params;
      const result = await chat.removeMember(room_id, user_id, claimsOf(request).sub, requestContext(request));
      return ok({ removed: result.changed }, result.changed ? "Member removed" : "Not a member");
    },
  );

  app.get(
    `${BASE}/:room_id/messages`,
    {
      config: { permission: "chat:read" },
      schema: {
        tags,
        security,
        operationId: "listChatMessages",
        summary: "A page of a room's history",
        description:
          "Newest first. Pass the page's `next_before` as `before` for the next, older page; the cursor is a " +
          "message id, so pages do not shift while messages arrive.",
        params: RoomParams,
        querystring: HistoryQuery,
        response: { 200: Envelope(MessagePageData), ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const { before, limit } = request.query;
      const page = await chat.listMessages(claimsOf(request).sub, request.params.room_id, {
        before,
        limit: limit === undefined ? undefined : Number(limit),
      });
      return ok({ messages: page.messages.map(toMessageFrame), next_before: page.nextBefore });
    },
  );
};
