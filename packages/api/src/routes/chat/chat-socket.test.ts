import { EventEmitter } from "node:events";
import { DEFAULT_CHAT_LIMITS } from "@gatehouse/domain";
import { describe, expect, it } from "vitest";
import type { WebSocket } from "ws";
import type { ChatUseCases } from "../../app-deps.js";
import { silentLogger } from "../../http/silent-logger.js";
import { ChatSocket } from "./chat-socket.js";

/** The part of a `ws` socket ChatSocket uses, with a send buffer the test fills by hand. */
class FakeSocket extends EventEmitter {
  bufferedAmount = 0;
  readonly sent: string[] = [];
  closed: { code: number; reason: string } | undefined;
  terminated = false;
  send(data: Uint8Array) {
    this.sent.push(Buffer.from(data).toString());
  }
  close(code: number, reason: string) {
    this.closed = { code, reason };
  }
  terminate() {
    this.terminated = true;
  }
}

const chat = { limits: { ...DEFAULT_CHAT_LIMITS, maxBufferedBytes: 1000 } } as unknown as ChatUseCases;

describe("ChatSocket", () => {
  it("closes a slow consumer with 1013 instead of queueing past the bound, then cuts it", async () => {
    const fake = new FakeSocket();
    const socket = new ChatSocket(fake as unknown as WebSocket, chat, silentLogger, () => false);
    socket.deliver(Buffer.from('{"type":"message"}'));
    expect(fake.sent).toHaveLength(1);
    fake.bufferedAmount = 1001;
    socket.deliver(Buffer.from('{"type":"message"}'));
    expect(fake.sent).toHaveLength(1);
    expect(fake.closed).toEqual({ code: 1013, reason: "reading too slowly" });
    socket.deliver(Buffer.from('{"type":"message"}'));
    expect(fake.sent).toHaveLength(1);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect(fake.terminated).toBe(true);
  });
});
