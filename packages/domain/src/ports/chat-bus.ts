import type { ChatMessage } from "../chat/chat-room.js";

/** What travels between nodes about one room. */
export type ChatEvent =
  | { readonly kind: "message"; readonly message: ChatMessage }
  | {
      readonly kind: "presence";
      readonly roomId: string;
      readonly joined: boolean;
      readonly userId: string;
      readonly userName: string;
    }
  /** The room was deleted or made private: sockets re-check their access. */
  | { readonly kind: "room_changed"; readonly roomId: string };

/**
 * Fan-out of room events to every node with sockets in the room. Delivery is at most once and
 * may lose events while a node is disconnected: messages are stored before they are published,
 * so a receiver that sees a gap in a room's ids reads the missing ones from the database.
 */
export interface ChatBus {
  /**
   * Calls `listener` with every event published to `roomId` from now on, on any node, this
   * node's own included. Resolves once the subscription is active when the transport is up.
   */
  subscribe(roomId: string, listener: (event: ChatEvent) => void): Promise<void>;
  /** Sends an event to every subscriber of its room. Rejects only when the transport failed; local subscribers got it anyway. */
  publish(roomId: string, event: ChatEvent): Promise<void>;
  /** Called after the transport reconnects, when events may have been missed. */
  onResync(listener: () => void): void;
}
