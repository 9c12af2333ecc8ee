import type { ChatBus, ChatEvent } from "@gatehouse/domain";

/** Fan-out within one process: every subscriber of the room is called synchronously. */
export class MemoryChatBus implements ChatBus {
  private readonly listeners = new Map<string, Set<(event: ChatEvent) => void>>();

  async subscribe(roomId: string, listener: (event: ChatEvent) => void): Promise<void> {
    let room = this.listeners.get(roomId);
    if (room === undefined) {
      room = new Set();
      this.listeners.set(roomId, room);
    }
    room.add(listener);
  }

  async publish(roomId: string, event: ChatEvent): Promise<void> {
    this.deliver(roomId, event);
  }

  onResync(): void {
    // Nothing is ever missed in-process.
  }

  /** Hands an event to this process's subscribers of the room. */
  deliver(roomId: string, event: ChatEvent): void {
    for (const listener of this.listeners.get(roomId) ?? []) listener(event);
  }
}
