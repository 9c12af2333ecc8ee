import { EventEmitter } from "node:events";
import type { Duplex } from "node:stream";
import { setImmediate as nextTurn } from "node:timers/promises";
import { DEFAULT_CHAT_LIMITS } from "@gatehouse/domain";
import { describe, expect, it } from "vitest";
import type { WebSocket } from "ws";
import type { ChatUseCases } from "../../app-deps.js";
import { silentLogger } from "../../http/silent-logger.js";
import { ChatSocket } from "./chat-socket.js";

/** The part of a `ws` socket ChatSocket uses, with a send buffer the test fills by hand. */
class FakeSocket extends EventEmitter {
  bufferedAmount = 0;
  readonly OPEN = 1;
  readyState = 1;
  closed: { code: number; reason: string } | undefined;
  terminated = false;
  close(code: number, reason: string) {
    this.closed = { code, reason };
  }
  terminate() {
    this.terminated = true;
  }
}

/** The connection under it: what the fan-out writes, frame headers stripped (payloads < 126 bytes). */
class FakeWire {
  readonly sent: string[] = [];
  destroyed = false;
  write(frame: Buffer) {
    this.sent.push(frame.subarray(2).toString());
  }
  cork() {}
  uncork() {}
}

const chat = { limits: { ...DEFAULT_CHAT_LIMITS, maxBufferedBytes: 1000 } } as unknown as ChatUseCases;

describe("ChatSocket", () => {
  it("closes a slow consumer with 1013 instead of queueing past the bound, then cuts it", async () => {
    const fake = new FakeSocket();
    const wire = new FakeWire();
    const socket = new ChatSocket(
      fake as unknown as WebSocket,
      wire as unknown as Duplex,
      chat,
      silentLogger,
      () => false,
    );
    socket.deliver(Buffer.from('{"type":"message"}'));
    await nextTurn();
    expect(wire.sent).toEqual(['{"type":"message"}']);
    fake.bufferedAmount = 1001;
    socket.deliver(Buffer.from('{"type":"message"}'));
    await nextTurn();
    expect(wire.sent).toHaveLength(1);
    expect(fake.closed).toEqual({ code: 1013, reason: "reading too slowly" });
    socket.deliver(Buffer.from('{"type":"message"}'));
    await nextTurn();
    expect(wire.sent).toHaveLength(1);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect(fake.terminated).toBe(true);
  });

  it("does not count the frames of this turn against the bound: a fast reader gets many at once", async () => {
    const fake = new FakeSocket();
    const wire = new FakeWire();
    const socket = new ChatSocket(
      fake as unknown as WebSocket,
      wire as unknown as Duplex,
      chat,
      silentLogger,
      () => false,
    );
    const frame = Buffer.from(`{"content":"${"x".repeat(100)}"}`);
    for (let index = 0; index < 20; index += 1) socket.deliver(frame);
    await nextTurn();
    expect(fake.closed).toBeUndefined();
    expect(wire.sent).toHaveLength(20);
  });

  it("sends what was queued before a close ahead of the close frame", async () => {
    const fake = new FakeSocket();
    const wire = new FakeWire();
    const socket = new ChatSocket(
      fake as unknown as WebSocket,
      wire as unknown as Duplex,
      chat,
      silentLogger,
      () => false,
    );
    socket.deliver(Buffer.from('{"type":"error"}'));
    socket.close(1008, "too many invalid frames");
    expect(wire.sent).toEqual(['{"type":"error"}']);
    expect(fake.closed).toEqual({ code: 1008, reason: "too many invalid frames" });
    socket.deliver(Buffer.from('{"type":"late"}'));
    await nextTurn();
    expect(wire.sent).toHaveLength(1);
  });
});
