import { Type } from "typebox";

const RoomId = Type.String({ pattern: "^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$", description: "A slug, e.g. general" });
const Uuid = Type.String({ format: "uuid" });

export const RoomParams = Type.Object({ room_id: RoomId });
export const MemberParams = Type.Object({ room_id: RoomId, user_id: Uuid });

export const RoomData = Type.Object(
  {
    id: Type.String(),
    name: Type.String(),
    description: Type.Union([Type.String(), Type.Null()]),
    is_private: Type.Boolean(),
    member_count: Type.Integer({ description: "Members of a private room (0 for a public room)" }),
    online_count: Type.Integer({
      description:
        "Distinct users with a socket in the room on any node (shared through Redis; with Redis down, this node's own)",
    }),
    created_at: Type.String({ format: "date-time" }),
    updated_at: Type.String({ format: "date-time" }),
  },
  { $id: "ChatRoom" },
);

export const CreateRoomBody = Type.Object(
  {
    id: RoomId,
    name: Type.String({ minLength: 1, maxLength: 100 }),
    description: Type.Optional(Type.Union([Type.String({ maxLength: 500 }), Type.Null()])),
    is_private: Type.Optional(Type.Boolean()),
  },
  { $id: "CreateChatRoomRequest", additionalProperties: false },
);

export const UpdateRoomBody = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    description: Type.Optional(Type.Union([Type.String({ maxLength: 500 }), Type.Null()])),
    is_private: Type.Optional(Type.Boolean()),
  },
  { $id: "UpdateChatRoomRequest", additionalProperties: false, minProperties: 1 },
);

export const MemberBody = Type.Object({ user_id: Uuid }, { $id: "ChatMemberRequest", additionalProperties: false });

export const HistoryQuery = Type.Object(
  {
    before: Type.Optional(Type.String({ pattern: "^[0-9]{1,19}$", description: "Only messages older than this id" })),
    limit: Type.Optional(Type.String({ pattern: "^[0-9]{1,3}$", description: "1-100, default 50" })),
  },
  { additionalProperties: false },
);

export const MessageData = Type.Object(
  {
    type: Type.Literal("message"),
    id: Type.String({ description: "The room's sequence number (decimal)" }),
    sender_id: Type.String(),
    sender_name: Type.String(),
    content: Type.String(),
    room_id: Type.String(),
    created_at: Type.String({ format: "date-time" }),
  },
  { $id: "ChatMessage" },
);

export const MessagePageData = Type.Object(
  {
    messages: Type.Array(MessageData, { description: "Newest first" }),
    next_before: Type.Union([Type.String(), Type.Null()], { description: "`before` of the next, older page" }),
  },
  { $id: "ChatMessagePage" },
);
