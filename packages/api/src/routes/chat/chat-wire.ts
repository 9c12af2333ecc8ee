import type { Duplex } from "node:stream";

/**
 * The fan-out's hot path, below `ws`: a room event reaches every socket of the room, so the
 * WebSocket frame around it is built once (not once per socket, as `ws.send` would) and the
 * same bytes are written to every connection; and the frames a socket gets within one turn of
 * the event loop go out in one system call (corked), because on a busy node the write
 * system call per socket per message is what the fan-out spends most of its time in.
 *
 * Writing beside `ws` is sound because the server never compresses (`perMessageDeflate` is
 * off), so `ws` itself writes every frame to the socket synchronously, in call order.
 */

const framed = new WeakMap<Uint8Array, Buffer>();

/** An unmasked, final text frame (RFC 6455 section 5.2) around `payload`, cached per payload. */
export function textFrame(payload: Uint8Array): Buffer {
  const cached = framed.get(payload);
  if (cached !== undefined) return cached;
  const length = payload.byteLength;
  const headerLength = length < 126 ? 2 : length < 65_536 ? 4 : 10;
  const frame = Buffer.allocUnsafe(headerLength + length);
  frame[0] = 0x81;
  if (length < 126) frame[1] = length;
  else if (length < 65_536) {
    frame[1] = 126;
    frame.writeUInt16BE(length, 2);
  } else {
    frame[1] = 127;
    frame.writeBigUInt64BE(BigInt(length), 2);
  }
  frame.set(payload, headerLength);
  framed.set(payload, frame);
  return frame;
}

const waiting = new Set<FrameBatch>();
let scheduled = false;

function flushWaiting(): void {
  scheduled = false;
  const batches = [...waiting];
  waiting.clear();
  for (const batch of batches) batch.flush();
}

/** The frames queued for one connection until the end of this event-loop turn. */
export class FrameBatch {
  private frames: Buffer[] = [];
  /** Bytes queued here and not yet handed to the socket. */
  bytes = 0;

  /** `open` is asked at flush time: frames queued before a close are dropped, never sent after it. */
  constructor(
    private readonly socket: Duplex,
    private readonly open: () => boolean,
  ) {}

  push(frame: Buffer): void {
    this.frames.push(frame);
    this.bytes += frame.byteLength;
    if (waiting.has(this)) return;
    waiting.add(this);
    if (!scheduled) {
      scheduled = true;
      setImmediate(flushWaiting);
    }
  }

  flush(): void {
    const frames = this.frames;
    this.frames = [];
    this.bytes = 0;
    if (!this.open() || this.socket.destroyed) return;
    if (frames.length === 1) {
      this.socket.write(frames[0] as Buffer);
      return;
    }
    this.socket.cork();
    for (const frame of frames) this.socket.write(frame);
    this.socket.uncork();
  }
}
