import type { ChatBus } from "@gatehouse/domain";

/**
 * Tells every node that a room's access changed (after the change committed). A lost notice
 * only delays the effect: access is checked again on every join.
 */
export async function announceRoomChange(bus: Pick<ChatBus, "publish">, roomId: string): Promise<void> {
  try {
    await bus.publish(roomId, { kind: "room_changed", roomId });
  } catch {
    // Local sockets were told already; other nodes re-check on their next join.
  }
}
