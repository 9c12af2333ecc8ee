import WebSocket from "ws";

export type Frame = Record<string, unknown>;

/** A real `ws` client on the chat socket that keeps every frame it received, for assertions. */
export class ChatClient {
  readonly frames: Frame[] = [];
  closeCode: number | undefined;
  closeReason = "";
  private waiters: Array<() => void> = [];
  readonly closed: Promise<number>;

  private constructor(readonly socket: WebSocket) {
    socket.on("message", (data) => {
      this.frames.push(JSON.parse(data.toString()) as Frame);
      this.wake();
    });
    this.closed = new Promise((resolve) => {
      socket.on("close", (code, reason) => {
        this.closeCode = code;
        this.closeReason = reason.toString();
        this.wake();
        resolve(code);
      });
    });
  }

  /** Opens a socket; `token` is sent as the first-message authorization unless `header` is set. */
  static async open(
    url: string,
    options: { token?: string; header?: boolean; headers?: Record<string, string>; ca?: string | Buffer } = {},
  ): Promise<ChatClient> {
    const headers = { ...options.headers };
    if (options.token !== undefined && options.header) headers.authorization = `Bearer ${options.token}`;
    // `ca`: a wss:// URL verified against this authority (verification is never turned off).
    const socket = new WebSocket(url, { headers, ...(options.ca === undefined ? {} : { ca: options.ca }) });
    const client = new ChatClient(socket);
    await new Promise<void>((resolve, reject) => {
      socket.once("open", () => resolve());
      socket.once("error", reject);
    });
    if (options.token !== undefined && !options.header) client.send({ type: "authorization", token: options.token });
    return client;
  }

  send(frame: Frame | string): void {
    this.socket.send(typeof frame === "string" ? frame : JSON.stringify(frame));
  }

  /** The first frame (after `from`) matching `match`, waiting up to `timeoutMs`. */
  async next(match: (frame: Frame) => boolean, timeoutMs = 3000, from = 0): Promise<Frame> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.frames.slice(from).find(match);
      if (found) return found;
      if (this.closeCode !== undefined)
        throw new Error(`socket closed (${this.closeCode} ${this.closeReason}) while waiting`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no matching frame within ${timeoutMs} ms; got ${JSON.stringify(this.frames)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Authorised and joined to `room`. */
  async join(room: string, lastMessageId?: string): Promise<void> {
    await this.next((f) => f.type === "authenticated");
    const from = this.frames.length;
    this.send({ type: "connect", room_id: room, ...(lastMessageId ? { last_message_id: lastMessageId } : {}) });
    await this.next((f) => f.type === "connected" && f.room_id === room, 3000, from);
  }

  messages(room: string): Frame[] {
    return this.frames.filter((f) => f.type === "message" && f.room_id === room && f.sender_name !== "System");
  }

  close(): void {
    this.socket.close();
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }
}

export const isType = (type: string) => (frame: Frame) => frame.type === type;
