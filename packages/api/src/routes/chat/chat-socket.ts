import type { Duplex } from "node:stream";
import type { ChatConnection, ChatIdentity } from "@gatehouse/application";
import {
  ChatCloseCodes,
  type ChatFrameErrorCode,
  type ClientFrame,
  type ErrorCode,
  isDomainError,
  parseClientFrame,
  type ServerFrame,
} from "@gatehouse/domain";
import type { FastifyBaseLogger } from "fastify";
import type { WebSocket } from "ws";
import type { ChatUseCases } from "../../app-deps.js";
import { FrameBatch, textFrame } from "./chat-wire.js";

const MINUTE_MS = 60_000;

/** Raised to send one error frame without counting it as abuse. */
class FrameError extends Error {
  constructor(
    readonly code: ErrorCode | ChatFrameErrorCode,
    message: string,
    readonly counts = true,
  ) {
    super(message);
  }
}

/**
 * One chat socket: authorization (first message or upgrade header), the room frames, limits
 * and closing. Frames are handled one at a time in arrival order, so a `message` sent right
 * after `connect` finds the room joined.
 */
export class ChatSocket implements ChatConnection {
  userId = "";
  sid = "";
  private name = "";
  private authenticated = false;
  private closed = false;
  private queue: Promise<void> = Promise.resolve();
  private readonly invalidAt: number[] = [];
  private authTimer: ReturnType<typeof setTimeout> | undefined;
  private expiryTimer: ReturnType<typeof setTimeout> | undefined;
  /** Pings sent without a pong since. */
  missedPongs = 0;
  private readonly batch: FrameBatch;

  /** `wire` is the connection under `socket` (the upgraded request's): frames are written to it directly. */
  constructor(
    private readonly socket: WebSocket,
    wire: Duplex,
    private readonly chat: ChatUseCases,
    private readonly log: FastifyBaseLogger,
    private readonly isShuttingDown: () => boolean,
  ) {
    this.batch = new FrameBatch(wire, () => !this.closed && socket.readyState === socket.OPEN);
    socket.on("message", (data, isBinary) => {
      const text = isBinary ? undefined : data.toString();
      this.enqueue(() => this.handle(text));
    });
    socket.on("pong", () => {
      this.missedPongs = 0;
    });
    socket.on("close", () => this.closedByEither());
    socket.on("error", (error) => this.log.debug({ err: error }, "chat socket error"));
  }

  /** Starts the authorization clock, or authorises at once with a token from the upgrade request. */
  start(token: string | undefined): void {
    if (token !== undefined) {
      this.enqueue(() => this.authorize(token));
      return;
    }
    this.authTimer = setTimeout(
      () => this.close(ChatCloseCodes.unauthorized, "authorization required"),
      this.chat.limits.authTimeoutMs,
    );
  }

  deliver(frame: Uint8Array): void {
    if (this.closed) return;
    // This turn's batch is not counted: a fast reader gets several frames in one turn too.
    if (this.socket.bufferedAmount > this.chat.limits.maxBufferedBytes) {
      this.close(ChatCloseCodes.tryAgainLater, "reading too slowly");
      // The close frame waits behind the unread data; a client that reads nothing never gets it.
      setTimeout(() => this.socket.terminate(), 1000).unref();
      return;
    }
    // The same framed bytes for the whole room, written at the end of this turn.
    this.batch.push(textFrame(frame));
  }

  /** One heartbeat: a ping, counted until its pong. */
  ping(): void {
    this.missedPongs += 1;
    if (!this.closed) this.socket.ping();
  }

  revoked(): void {
    this.close(ChatCloseCodes.unauthorized, "session revoked");
  }

  roomChanged(roomId: string): void {
    this.enqueue(async () => {
      if (!this.chat.hub.isIn(this, roomId)) return;
      try {
        await this.chat.joinRoom(this.userId, roomId);
      } catch {
        this.chat.hub.leave(this, roomId);
        this.send({ type: "disconnected", room_id: roomId });
      }
    });
  }

  close(code: number, reason: string): void {
    if (this.closed) return;
    // What was queued before the close (an error frame saying why) goes out ahead of it.
    this.batch.flush();
    this.closed = true;
    this.socket.close(code, reason);
    this.closedByEither();
  }

  private closedByEither(): void {
    this.closed = true;
    clearTimeout(this.authTimer);
    clearTimeout(this.expiryTimer);
    if (!this.authenticated) return;
    this.authenticated = false;
    const rooms = this.chat.hub.detach(this);
    if (this.isShuttingDown()) return;
    const sender = { userId: this.userId, name: this.name };
    for (const roomId of rooms) {
      this.chat.announcePresence(sender, roomId, false).catch((error: unknown) => {
        this.log.warn({ err: error, room_id: roomId }, "could not announce a chat leave");
      });
    }
  }

  private send(frame: ServerFrame): void {
    this.deliver(Buffer.from(JSON.stringify(frame)));
  }

  private enqueue(work: () => Promise<void>): void {
    this.queue = this.queue.then(async () => {
      if (this.closed) return;
      try {
        await work();
      } catch (error) {
        this.refuse(error);
      }
    });
  }

  private refuse(error: unknown): void {
    if (error instanceof FrameError) {
      this.send({ type: "error", error: error.message, code: error.code });
      if (error.counts) this.countInvalid();
    } else if (isDomainError(error)) {
      this.send({ type: "error", error: error.message, code: error.code });
      if (error.code === "VALIDATION_ERROR") this.countInvalid();
    } else {
      this.log.error({ err: error }, "chat frame failed");
      this.send({ type: "error", error: "Internal error", code: "INTERNAL_ERROR" });
    }
  }

  /** Repeated invalid frames close the socket: a client that keeps failing is broken or hostile. */
  private countInvalid(): void {
    const now = Date.now();
    this.invalidAt.push(now);
    while ((this.invalidAt[0] ?? now) <= now - MINUTE_MS) this.invalidAt.shift();
    if (this.invalidAt.length > this.chat.limits.maxInvalidFramesPerMinute) {
      this.close(ChatCloseCodes.policyViolation, "too many invalid frames");
    }
  }

  private async handle(text: string | undefined): Promise<void> {
    if (text === undefined) throw new FrameError("INVALID_FRAME", "Frames must be JSON text");
    const parsed = parseClientFrame(text);
    if (!parsed.ok) throw new FrameError(parsed.code, parsed.message);
    const { frame } = parsed;
    if (frame.type === "authorization") return this.authorize(frame.token);
    if (!this.authenticated) throw new FrameError("NOT_AUTHENTICATED", "Send an authorization message first");
    await this.roomFrame(frame);
  }

  private async roomFrame(frame: Exclude<ClientFrame, { type: "authorization" }>): Promise<void> {
    const { hub } = this.chat;
    const sender = { userId: this.userId, name: this.name };
    if (frame.type === "connect") {
      if (hub.isIn(this, frame.roomId)) return this.send({ type: "connected", room_id: frame.roomId });
      if (hub.roomCount(this) >= this.chat.limits.maxRoomsPerSocket) {
        throw new FrameError("TOO_MANY_ROOMS", `A socket may join at most ${this.chat.limits.maxRoomsPerSocket} rooms`);
      }
      await this.chat.joinRoom(this.userId, frame.roomId);
      await hub.join(this, frame.roomId, frame.lastMessageId, () =>
        this.send({ type: "connected", room_id: frame.roomId }),
      );
      await this.chat.announcePresence(sender, frame.roomId, true);
      return;
    }
    if (!hub.isIn(this, frame.roomId)) throw new FrameError("NOT_IN_ROOM", "Not connected to this room");
    if (frame.type === "disconnect") {
      hub.leave(this, frame.roomId);
      await this.chat.announcePresence(sender, frame.roomId, false);
      this.send({ type: "disconnected", room_id: frame.roomId });
      return;
    }
    await this.chat.postMessage(sender, frame.roomId, frame.content);
  }

  /** First authorization, or a fresh token for the same user on an open socket. */
  private async authorize(token: string): Promise<void> {
    let identity: ChatIdentity;
    try {
      identity = await this.chat.identify(token);
    } catch (error) {
      if (!this.authenticated) {
        this.refuse(isDomainError(error) ? new FrameError(error.code, error.message, false) : error);
        this.close(ChatCloseCodes.unauthorized, "authorization failed");
        return;
      }
      throw error;
    }
    const { claims } = identity;
    if (this.authenticated && claims.sub !== this.userId) {
      throw new FrameError("FORBIDDEN", "A socket stays with the user it authorised as");
    }
    const previousSid = this.sid;
    this.sid = claims.sid;
    this.name = identity.name;
    if (this.authenticated) {
      if (previousSid !== this.sid) this.chat.hub.sessionChanged(this, previousSid);
    } else {
      this.userId = claims.sub;
      if (!this.chat.hub.attach(this)) {
        this.close(ChatCloseCodes.policyViolation, "too many sockets for this user");
        return;
      }
      this.authenticated = true;
      clearTimeout(this.authTimer);
      // A revocation that landed while the token was being checked found no socket to close.
      await this.chat.identify(token).catch(() => this.revoked());
      if (this.closed) return;
    }
    this.armExpiry(claims.exp);
    this.send({ type: "authenticated", user_id: claims.sub, expires_at: new Date(claims.exp * 1000).toISOString() });
  }

  private armExpiry(exp: number): void {
    clearTimeout(this.expiryTimer);
    const ms = Math.max(0, exp * 1000 - Date.now());
    // setTimeout holds at most ~24.8 days; tokens live minutes.
    this.expiryTimer = setTimeout(
      () => this.close(ChatCloseCodes.unauthorized, "token expired"),
      Math.min(ms, 2 ** 31 - 1),
    );
  }
}
