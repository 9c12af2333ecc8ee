import { randomUUID } from "node:crypto";
import type { ChatBus, ChatEvent } from "@gatehouse/domain";
import type { Logger } from "../logging/logger.js";
import type { RedisConnection } from "../redis/redis-connection.js";
import { MemoryChatBus } from "./memory-chat-bus.js";

const channelOf = (roomId: string) => `chat:room:${roomId}`;

interface Envelope {
  /** The node that published it: it delivered the event to its own sockets already. */
  readonly origin: string;
  readonly event: ChatEvent;
}

function decode(text: string): Envelope | undefined {
  const parsed = JSON.parse(text, (key, value) => (key === "createdAt" ? new Date(value) : value)) as unknown;
  if (typeof parsed !== "object" || parsed === null) return undefined;
  const envelope = parsed as Partial<Envelope>;
  return typeof envelope.origin === "string" && typeof envelope.event === "object" ? (envelope as Envelope) : undefined;
}

/**
 * Fan-out across nodes through Redis pub/sub, one channel per room. Pub/sub rather than
 * streams: messages are stored in PostgreSQL before they are published, so replay (after a
 * reconnect, a missed event or a node's death) reads the database, and Redis only needs to
 * carry live events, at most once, without keeping them.
 *
 * Local subscribers get an event straight away, without a round trip, so a node keeps serving
 * its own sockets while Redis is down. A node subscribes to a room's channel the first time
 * one of its sockets joins the room and stays subscribed: rooms are few (administrators create
 * them) and the connection offers no unsubscribe.
 */
export class RedisChatBus implements ChatBus {
  private readonly local = new MemoryChatBus();
  private readonly subscribed = new Set<string>();
  private readonly origin = randomUUID();

  constructor(
    private readonly redis: Pick<RedisConnection, "publish" | "subscribe" | "onReconnect">,
    private readonly logger: Logger,
  ) {}

  async subscribe(roomId: string, listener: (event: ChatEvent) => void): Promise<void> {
    await this.local.subscribe(roomId, listener);
    if (this.subscribed.has(roomId)) return;
    this.subscribed.add(roomId);
    await this.redis.subscribe(channelOf(roomId), (text) => this.received(roomId, text));
  }

  async publish(roomId: string, event: ChatEvent): Promise<void> {
    this.local.deliver(roomId, event);
    await this.redis.publish(channelOf(roomId), JSON.stringify({ origin: this.origin, event } satisfies Envelope));
  }

  onResync(listener: () => void): void {
    this.redis.onReconnect(listener);
  }

  private received(roomId: string, text: string): void {
    try {
      const envelope = decode(text);
      if (envelope === undefined) throw new Error("not a chat envelope");
      if (envelope.origin !== this.origin) this.local.deliver(roomId, envelope.event);
    } catch (error) {
      this.logger.warn({ err: error, room_id: roomId }, "ignored a malformed chat event");
    }
  }
}
