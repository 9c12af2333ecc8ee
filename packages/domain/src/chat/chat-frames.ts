import type { ErrorCode } from "../errors/error-codes.js";
import type { ChatMessage } from "./chat-room.js";

/** Frames a client sends (README "Chat", protocol table). `user_id` is accepted and ignored. */
export type ClientFrame =
  | { readonly type: "authorization"; readonly token: string }
  | { readonly type: "connect"; readonly roomId: string; readonly lastMessageId: string | undefined }
  | { readonly type: "message"; readonly roomId: string; readonly content: string }
  | { readonly type: "disconnect"; readonly roomId: string };

/** A message as the socket and the history endpoint show it. */
export interface MessageFrame {
  readonly type: "message";
  readonly id: string;
  readonly sender_id: string;
  readonly sender_name: string;
  readonly content: string;
  readonly room_id: string;
  readonly created_at: string;
}

export interface PresenceFrame {
  readonly type: "user_joined" | "user_left";
  readonly room_id: string;
  readonly user_id: string;
  readonly user_name: string;
}

/** Codes of error frames that are about the protocol rather than a domain rule. */
export type ChatFrameErrorCode =
  | "INVALID_FRAME"
  | "UNKNOWN_FRAME_TYPE"
  | "NOT_AUTHENTICATED"
  | "NOT_IN_ROOM"
  | "TOO_MANY_ROOMS";

/** Frames the server sends. */
export type ServerFrame =
  | { readonly type: "authenticated"; readonly user_id: string; readonly expires_at: string }
  | { readonly type: "connected"; readonly room_id: string }
  | { readonly type: "disconnected"; readonly room_id: string }
  | { readonly type: "error"; readonly error: string; readonly code: ErrorCode | ChatFrameErrorCode }
  | MessageFrame
  | PresenceFrame;

/** WebSocket close codes the server uses, and why. */
export const ChatCloseCodes = {
  /** Shutdown: reconnect to another node. */
  goingAway: 1001,
  /** Repeated invalid frames, or more sockets than a user may open. */
  policyViolation: 1008,
  /** A frame above the size limit. */
  tooBig: 1009,
  /** The client reads too slowly: its send buffer passed the bound. */
  tryAgainLater: 1013,
  /** No valid authorization in time, session revoked, account blocked or token expired. */
  unauthorized: 4401,
} as const;

export type ParsedFrame =
  | { readonly ok: true; readonly frame: ClientFrame }
  | { readonly ok: false; readonly code: ChatFrameErrorCode | "VALIDATION_ERROR"; readonly message: string };

const MESSAGE_ID = /^[1-9][0-9]{0,18}$/;

function invalid(code: ChatFrameErrorCode | "VALIDATION_ERROR", message: string): ParsedFrame {
  return { ok: false, code, message };
}

function stringField(body: Record<string, unknown>, name: string): string | undefined {
  const value = body[name];
  return typeof value === "string" ? value : undefined;
}

/** Reads one text frame: JSON with a known `type` and the fields that type needs. */
export function parseClientFrame(text: string): ParsedFrame {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return invalid("INVALID_FRAME", "Frames must be JSON objects");
  }
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    return invalid("INVALID_FRAME", "Frames must be JSON objects");
  }
  const fields = body as Record<string, unknown>;
  // PostgreSQL cannot store a NUL in text: refused here like the HTTP layer refuses it.
  if (Object.values(fields).some((value) => typeof value === "string" && value.includes("\u0000"))) {
    return invalid("VALIDATION_ERROR", "Frames must not contain NUL bytes");
  }
  const type = fields.type;
  if (type === "authorization") {
    const token = stringField(fields, "token");
    return token ? { ok: true, frame: { type, token } } : invalid("VALIDATION_ERROR", "token is required");
  }
  if (type !== "connect" && type !== "message" && type !== "disconnect") {
    return invalid(
      "UNKNOWN_FRAME_TYPE",
      `Unknown frame type: ${typeof type === "string" ? type.slice(0, 40) : "none"}`,
    );
  }
  const roomId = stringField(fields, "room_id");
  if (roomId === undefined || roomId === "") return invalid("VALIDATION_ERROR", "room_id is required");
  if (type === "disconnect") return { ok: true, frame: { type, roomId } };
  if (type === "connect") {
    const last = fields.last_message_id;
    if (last === undefined || last === null) return { ok: true, frame: { type, roomId, lastMessageId: undefined } };
    const lastMessageId = typeof last === "number" && Number.isSafeInteger(last) ? String(last) : last;
    if (typeof lastMessageId !== "string" || (lastMessageId !== "0" && !MESSAGE_ID.test(lastMessageId))) {
      return invalid("VALIDATION_ERROR", "last_message_id must be a message id");
    }
    return { ok: true, frame: { type, roomId, lastMessageId } };
  }
  const content = fields.content;
  if (typeof content !== "string") return invalid("VALIDATION_ERROR", "content is required");
  return { ok: true, frame: { type, roomId, content } };
}

/** Whether `value` is a message id (a positive decimal integer below 2^63), for query parameters. */
export function isMessageId(value: string): boolean {
  return MESSAGE_ID.test(value) && BigInt(value) <= 9_223_372_036_854_775_807n;
}

/** A stored message as a `message` frame (the history endpoint shows the same fields). */
export function toMessageFrame(message: ChatMessage): MessageFrame {
  return {
    type: "message",
    id: message.id,
    sender_id: message.senderId,
    sender_name: message.senderName,
    content: message.content,
    room_id: message.roomId,
    created_at: message.createdAt.toISOString(),
  };
}
