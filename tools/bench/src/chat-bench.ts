import { readFileSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import WebSocket from "ws";
import type { Child } from "./children.js";
import { type Credentials, logInSessions, registerUsers } from "./gatehouse-client.js";
import { type LatencySummary, round, summarizeLatencies } from "./stats.js";

export interface ChatBenchSettings {
  /** Receiving sockets in the room. */
  readonly sockets: number;
  /** Messages sent per second, in total, by the sending sockets. */
  readonly rate: number;
  readonly durationSeconds: number;
  /** Receivers whose frames are parsed for latency (the others only count). */
  readonly latencySample: number;
}

export interface ChatBenchResult {
  readonly sockets: number;
  readonly sent_per_second: number;
  readonly sent: number;
  readonly delivered: number;
  readonly expected_deliveries: number;
  readonly delivered_per_second: number;
  readonly send_to_receive_ms: LatencySummary;
  readonly rss_idle_before_mib: number;
  readonly rss_with_sockets_mib: number;
  readonly rss_per_idle_socket_kib: number;
}

/** Environment of the chat bench's server: no limit of the protocol gets in the way of the load. */
export const CHAT_BENCH_ENV: Record<string, string> = {
  CHAT_MAX_SOCKETS_PER_USER: "10000",
  CHAT_SEND_RATE_LIMIT: "100000",
  CHAT_SEND_RATE_WINDOW_SECONDS: "1",
  CHAT_MAX_BUFFERED_BYTES: "67108864",
};

const RECEIVER_USERS = 10;
const SENDERS = 5;

function rssMib(child: Child): number {
  const status = readFileSync(`/proc/${child.process.pid}/status`, "utf8");
  const kib = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return kib / 1024;
}

/** Opens an authorised socket joined to `general`; `onFrame` sees every frame after that. */
async function joinedSocket(
  url: string,
  token: string,
  onFrame: (data: WebSocket.RawData) => void,
): Promise<WebSocket> {
  const socket = new WebSocket(url, { headers: { authorization: `Bearer ${token}` } });
  await new Promise<void>((resolve, reject) => {
    socket.once("error", reject);
    socket.on("message", function first(data) {
      const frame = JSON.parse(data.toString()) as { type?: string };
      if (frame.type === "authenticated") socket.send(JSON.stringify({ type: "connect", room_id: "general" }));
      if (frame.type === "connected") {
        socket.off("message", first);
        socket.on("message", onFrame);
        resolve();
      }
    });
  });
  return socket;
}

/** Waits until no frame arrived for `quietMs` (the join notices of the setup have been delivered). */
async function settle(lastFrameAt: () => number, quietMs: number): Promise<void> {
  while (Date.now() - lastFrameAt() < quietMs) await sleep(100);
}

/**
 * N sockets in one room on one node, messages sent at a fixed rate by a few other sockets:
 * delivered messages per second, send-to-receive latency (sent and received in this process,
 * so one clock), and the server's RSS growth per idle socket.
 */
export async function benchChat(
  settings: ChatBenchSettings,
  server: { readonly baseUrl: string; readonly child: Child },
  runId: string,
  log: (line: string) => void,
): Promise<ChatBenchResult> {
  const url = `${server.baseUrl.replace(/^http/, "ws")}/api/v1/chat/ws`;
  const users: Credentials[] = await registerUsers(server.baseUrl, `chat${runId}`, RECEIVER_USERS + SENDERS, 4);
  const receiverSessions = await logInSessions(server.baseUrl, users.slice(0, RECEIVER_USERS), RECEIVER_USERS, 4);
  const senderSessions = await logInSessions(server.baseUrl, users.slice(RECEIVER_USERS), SENDERS, 4);
  await sleep(2000);
  const rssBefore = rssMib(server.child);

  let measuring = false;
  let delivered = 0;
  let lastFrameAt = Date.now();
  const latencies: number[] = [];
  const sockets: WebSocket[] = [];
  log(`• chat: opening ${settings.sockets} sockets in room general`);
  for (let index = 0; index < settings.sockets; index += 50) {
    const batch = Array.from({ length: Math.min(50, settings.sockets - index) }, (_, offset) => {
      const sampled = index + offset < settings.latencySample;
      const token = receiverSessions[(index + offset) % RECEIVER_USERS]?.accessToken as string;
      return joinedSocket(url, token, (data) => {
        lastFrameAt = Date.now();
        if (!measuring) return;
        delivered += 1;
        if (!sampled) return;
        const content = (JSON.parse(data.toString()) as { content?: string }).content ?? "";
        if (content.startsWith("t:")) latencies.push(performance.now() - Number(content.slice(2)));
      });
    });
    sockets.push(...(await Promise.all(batch)));
  }
  const senders = await Promise.all(senderSessions.map((session) => joinedSocket(url, session.accessToken, () => {})));
  await settle(() => lastFrameAt, 1000);
  const rssWith = rssMib(server.child);

  log(`• chat: ${settings.rate} messages/s for ${settings.durationSeconds}s to ${settings.sockets} sockets`);
  measuring = true;
  const total = settings.rate * settings.durationSeconds;
  const started = performance.now();
  for (let sent = 0; sent < total; sent += 1) {
    const due = started + (sent * 1000) / settings.rate;
    const wait = due - performance.now();
    if (wait > 1) await sleep(wait);
    const sender = senders[sent % senders.length] as WebSocket;
    sender.send(JSON.stringify({ type: "message", room_id: "general", content: `t:${performance.now()}` }));
  }
  const expected = total * settings.sockets;
  const deadline = Date.now() + 10_000;
  while (delivered < expected && Date.now() < deadline) await sleep(50);
  const elapsedSeconds = (performance.now() - started) / 1000;
  measuring = false;
  for (const socket of [...sockets, ...senders]) socket.terminate();

  return {
    sockets: settings.sockets,
    sent_per_second: settings.rate,
    sent: total,
    delivered,
    expected_deliveries: expected,
    delivered_per_second: Math.round(delivered / elapsedSeconds),
    send_to_receive_ms: summarizeLatencies(latencies),
    rss_idle_before_mib: round(rssBefore),
    rss_with_sockets_mib: round(rssWith),
    rss_per_idle_socket_kib: round(((rssWith - rssBefore) * 1024) / settings.sockets),
  };
}
