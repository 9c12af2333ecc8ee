import type { Duplex, Writable } from "node:stream";
import { setImmediate as nextTurn } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import * as ws from "ws";
import { FrameBatch, textFrame } from "./chat-wire.js";

/** The frame parser of `ws` (not in its type declarations), as its client uses it. */
type FrameReceiver = Writable & { on(event: "message", listener: (data: Buffer, isBinary: boolean) => void): void };
const { Receiver } = ws as unknown as { Receiver: new (options: { isServer: boolean }) => FrameReceiver };

/** Parses frames as a `ws` client does; resolves with the text messages. */
function parse(bytes: Buffer, count: number): Promise<string[]> {
  const receiver = new Receiver({ isServer: false });
  const messages: string[] = [];
  return new Promise((resolve, reject) => {
    receiver.on("message", (data: Buffer, isBinary: boolean) => {
      if (isBinary) reject(new Error("binary frame"));
      messages.push(data.toString());
      if (messages.length === count) resolve(messages);
    });
    receiver.on("error", reject);
    receiver.write(bytes);
  });
}

/** A connection that records its writes and how they were grouped into system calls. */
class RecordingWire {
  readonly writes: Buffer[][] = [[]];
  destroyed = false;
  private corked = 0;
  write(chunk: Buffer) {
    (this.writes.at(-1) as Buffer[]).push(chunk);
    if (this.corked === 0) this.writes.push([]);
  }
  cork() {
    this.corked += 1;
  }
  uncork() {
    this.corked -= 1;
    if (this.corked === 0) this.writes.push([]);
  }
  calls(): Buffer[][] {
    return this.writes.filter((group) => group.length > 0);
  }
}

describe("textFrame", () => {
  it("frames payloads of every length class so that a ws client reads them back", async () => {
    const payloads = [0, 1, 125, 126, 65_535, 65_536, 200_000].map(
      (length) => "é".repeat(length >> 1) + "x".repeat(length & 1),
    );
    const frames = payloads.map((text) => textFrame(new TextEncoder().encode(text)));
    expect(await parse(Buffer.concat(frames), payloads.length)).toEqual(payloads);
  });

  it("builds the frame once per payload: every socket of the room gets the same bytes", () => {
    const payload = new TextEncoder().encode('{"type":"message"}');
    expect(textFrame(payload)).toBe(textFrame(payload));
    expect(textFrame(new TextEncoder().encode('{"type":"message"}'))).not.toBe(textFrame(payload));
  });
});

describe("FrameBatch", () => {
  it("writes the frames of one turn together, in order, in one corked write", async () => {
    const wire = new RecordingWire();
    const batch = new FrameBatch(wire as unknown as Duplex, () => true);
    const frames = ["a", "b", "c"].map((text) => textFrame(new TextEncoder().encode(text)));
    for (const frame of frames) batch.push(frame);
    expect(batch.bytes).toBe(9);
    expect(wire.calls()).toEqual([]);
    await nextTurn();
    expect(wire.calls()).toEqual([frames]);
    expect(batch.bytes).toBe(0);
    batch.push(frames[0] as Buffer);
    await nextTurn();
    expect(wire.calls()).toEqual([frames, [frames[0]]]);
  });

  it("drops what was queued once the socket is no longer open", async () => {
    const wire = new RecordingWire();
    let open = true;
    const batch = new FrameBatch(wire as unknown as Duplex, () => open);
    batch.push(textFrame(new TextEncoder().encode("late")));
    open = false;
    await nextTurn();
    expect(wire.calls()).toEqual([]);
  });
});
