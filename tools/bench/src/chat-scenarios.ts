import { randomBytes } from "node:crypto";
import { benchChat, CHAT_BENCH_ENV, type ChatBenchResult, type ChatNode } from "./chat-bench.js";

export interface ChatScenarioSettings {
  readonly chatSockets: number;
  readonly chatRate: number;
  readonly durationSeconds: number;
  readonly databaseUrl: string | undefined;
  readonly redisUrl: string | undefined;
  /** `BENCH_CHAT_NODES`: processes of the cross-node run (1: none). */
  readonly chatNodes: number;
}

/** Starts one server with `env` added to the bench's; `stop` ends it and removes its data. */
export type StartChatServer = (env: Record<string, string>) => Promise<ChatNode & { stop(): Promise<void> }>;

export interface ChatScenarios {
  readonly chat: ChatBenchResult;
  readonly chat_nodes?: ChatBenchResult | { readonly skipped: string };
}

/** Receivers whose frames are parsed for latency: a multiple of 3, so each of 3 nodes has as many. */
const LATENCY_SAMPLE = { one: 50, nodes: 60 };

/**
 * The chat fan-out on one node (its own server, so the sockets' memory is measured alone), then
 * across `chatNodes` processes sharing the PostgreSQL and a Redis (a key prefix per run, one JWT
 * secret for all, as the scale-out run does): receivers spread over the nodes, senders on the
 * first, so most deliveries cross Redis pub/sub.
 */
export async function benchChatScenarios(
  settings: ChatScenarioSettings,
  start: StartChatServer,
  log: (line: string) => void,
): Promise<ChatScenarios> {
  const load = { sockets: settings.chatSockets, rate: settings.chatRate, durationSeconds: settings.durationSeconds };
  log("• starting apps/server for the one-node chat scenario");
  const single = await start(CHAT_BENCH_ENV);
  let chat: ChatBenchResult;
  try {
    chat = await benchChat({ ...load, latencySample: LATENCY_SAMPLE.one }, [single], runId(), log);
  } finally {
    await single.stop();
  }
  if (settings.chatNodes < 2) return { chat };
  if (settings.databaseUrl === undefined || settings.redisUrl === undefined) {
    const skipped = "needs DATABASE_URL (one PostgreSQL for every node) and REDIS_URL";
    log(`• chat across nodes skipped: ${skipped}`);
    return { chat, chat_nodes: { skipped } };
  }
  const id = runId();
  const env = {
    ...CHAT_BENCH_ENV,
    REDIS_URL: settings.redisUrl,
    REDIS_KEY_PREFIX: `gh-bench-${id}:`,
    JWT_SECRET: randomBytes(32).toString("hex"),
  };
  log(`• starting ${settings.chatNodes} apps/server processes on one PostgreSQL and Redis for the chat scenario`);
  const nodes: Array<ChatNode & { stop(): Promise<void> }> = [];
  try {
    for (let index = 0; index < settings.chatNodes; index += 1) nodes.push(await start(env));
    const chatNodes = await benchChat({ ...load, latencySample: LATENCY_SAMPLE.nodes }, nodes, id, log);
    return { chat, chat_nodes: chatNodes };
  } finally {
    await Promise.all(nodes.map((node) => node.stop()));
  }
}

const runId = () => randomBytes(4).toString("hex");
