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

/** One server process of the scenario. */
export interface ChatNode {
  readonly baseUrl: string;
  readonly child: Child;
}

/** What one node held and what its sampled receivers saw. */
export interface ChatNodeFigures {
  readonly sockets: number;
  readonly rss_idle_before_mib: number;
  readonly rss_with_sockets_mib: number;
  /** At the end of the sending, before the sockets close. */
  readonly rss_after_sending_mib: number;
  /** CPU the node used from the first send until the deliveries were counted. */
  readonly cpu_seconds_sending: number;
  readonly send_to_receive_ms: LatencySummary;
}

export interface ChatBenchResult {
  readonly nodes: number;
  readonly sockets: number;
  readonly sent_per_second: number;
  readonly sent: number;
  readonly delivered: number;
  readonly expected_deliveries: number;
  readonly delivered_per_second: number;
  readonly send_to_receive_ms: LatencySummary;
  /** Summed over the nodes. */
  readonly rss_idle_before_mib: number;
  readonly rss_with_sockets_mib: number;
  readonly rss_per_idle_socket_kib: number;
  /**
   * Server CPU (all nodes) per delivered message: the figure a shared, noisy machine disturbs
   * least, since throughput there follows what the other work leaves over.
   */
  readonly server_cpu_us_per_delivery: number;
  /** Node 0 has the senders; the receivers are spread over the nodes in turn. */
  readonly per_node: readonly ChatNodeFigures[];
}

/** Environment of the chat bench's server: no limit of the protocol gets in the way of the load. */
export const CHAT_BENCH_ENV: Record<string, string> = {
  CHAT_MAX_SOCKETS_PER_USER: "10000",
  CHAT_SEND_RATE_LIMIT: "100000",
  CHAT_SEND_RATE_WINDOW_SECONDS: "1",
  CHAT_MAX_BUFFERED_BYTES: "67108864",
};

const RECEIVER_USERS = 10;
/** In every frame of a bench message, found without parsing it. */
const MARKER = '"content":"t:';
const SENDERS = 5;

function rssMib(child: Child): number {
  const status = readFileSync(`/proc/${child.process.pid}/status`, "utf8");
  const kib = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return kib / 1024;
}

/** CPU seconds (user + system) the process has used, from `/proc/<pid>/stat` (clock ticks of 1/100 s). */
function cpuSeconds(child: Child): number {
  const stat = readFileSync(`/proc/${child.process.pid}/stat`, "utf8");
  // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100;
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

const wsUrl = (node: ChatNode) => `${node.baseUrl.replace(/^http/, "ws")}/api/v1/chat/ws`;
const sum = (values: readonly number[]) => values.reduce((total, value) => total + value, 0);

/**
 * N sockets in one room, spread over the nodes in turn, messages sent at a fixed rate by a few
 * other sockets on node 0: delivered messages per second, send-to-receive latency (sent and
 * received in this process, so one clock) overall and per node, and each node's RSS (growth
 * per idle socket, and after the sending). With several nodes every message but node 0's own
 * fan-out crosses Redis.
 */
export async function benchChat(
  settings: ChatBenchSettings,
  nodes: readonly ChatNode[],
  runId: string,
  log: (line: string) => void,
): Promise<ChatBenchResult> {
  const first = nodes[0] as ChatNode;
  const users: Credentials[] = await registerUsers(first.baseUrl, `chat${runId}`, RECEIVER_USERS + SENDERS, 4);
  const receiverSessions = await logInSessions(first.baseUrl, users.slice(0, RECEIVER_USERS), RECEIVER_USERS, 4);
  const senderSessions = await logInSessions(first.baseUrl, users.slice(RECEIVER_USERS), SENDERS, 4);
  await sleep(2000);
  const rssBefore = nodes.map((node) => rssMib(node.child));

  let measuring = false;
  let delivered = 0;
  let lastFrameAt = Date.now();
  /** When the last counted delivery arrived: the rate is over the span it took, not over a polling interval. */
  let lastDeliveryAt = 0;
  const latencies = nodes.map((): number[] => []);
  const sockets: WebSocket[] = [];
  log(`• chat: opening ${settings.sockets} sockets in room general on ${nodes.length} node(s)`);
  for (let index = 0; index < settings.sockets; index += 50) {
    const batch = Array.from({ length: Math.min(50, settings.sockets - index) }, (_, offset) => {
      const receiver = index + offset;
      const sampled = receiver < settings.latencySample;
      const token = receiverSessions[receiver % RECEIVER_USERS]?.accessToken as string;
      const onNode = latencies[receiver % nodes.length] as number[];
      return joinedSocket(wsUrl(nodes[receiver % nodes.length] as ChatNode), token, (data) => {
        lastFrameAt = Date.now();
        // Only the bench's messages count: a join notice landing late is not a delivery.
        if (!measuring || !(data as Buffer).includes(MARKER)) return;
        delivered += 1;
        lastDeliveryAt = performance.now();
        if (!sampled) return;
        const content = (JSON.parse(data.toString()) as { content?: string }).content ?? "";
        if (content.startsWith("t:")) onNode.push(performance.now() - Number(content.slice(2)));
      });
    });
    sockets.push(...(await Promise.all(batch)));
  }
  const senders = await Promise.all(
    senderSessions.map((session) => joinedSocket(wsUrl(first), session.accessToken, () => {})),
  );
  await settle(() => lastFrameAt, 1000);
  const rssWith = nodes.map((node) => rssMib(node.child));

  log(`• chat: ${settings.rate} messages/s for ${settings.durationSeconds}s to ${settings.sockets} sockets`);
  measuring = true;
  const cpuBefore = nodes.map((node) => cpuSeconds(node.child));
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
  const elapsedSeconds = (Math.max(lastDeliveryAt, started + 1) - started) / 1000;
  measuring = false;
  const rssAfter = nodes.map((node) => rssMib(node.child));
  const cpu = nodes.map((node, index) => cpuSeconds(node.child) - (cpuBefore[index] as number));
  for (const socket of [...sockets, ...senders]) socket.terminate();

  return {
    nodes: nodes.length,
    sockets: settings.sockets,
    sent_per_second: settings.rate,
    sent: total,
    delivered,
    expected_deliveries: expected,
    delivered_per_second: Math.round(delivered / elapsedSeconds),
    send_to_receive_ms: summarizeLatencies(latencies.flat()),
    rss_idle_before_mib: round(sum(rssBefore)),
    rss_with_sockets_mib: round(sum(rssWith)),
    rss_per_idle_socket_kib: round(((sum(rssWith) - sum(rssBefore)) * 1024) / settings.sockets),
    server_cpu_us_per_delivery: delivered === 0 ? 0 : round((sum(cpu) * 1e6) / delivered),
    per_node: nodes.map((_, index) => ({
      sockets: Math.floor(settings.sockets / nodes.length) + (index < settings.sockets % nodes.length ? 1 : 0),
      rss_idle_before_mib: round(rssBefore[index] as number),
      rss_with_sockets_mib: round(rssWith[index] as number),
      rss_after_sending_mib: round(rssAfter[index] as number),
      cpu_seconds_sending: round(cpu[index] as number),
      send_to_receive_ms: summarizeLatencies(latencies[index] as number[]),
    })),
  };
}
