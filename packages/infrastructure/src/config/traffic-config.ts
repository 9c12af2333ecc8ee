import { isIP } from "node:net";
import {
  type ChatLimits,
  DEFAULT_CHAT_LIMITS,
  defaultRateLimitPolicy,
  RateLimitCategories,
  type RateLimitCategory,
  type RateLimitPolicy,
} from "@gatehouse/domain";
import type { RedisSettings, TrustProxy } from "./config.js";
import { ConfigError, checkUrl, type Reader } from "./env-reader.js";

// Redis, rate limits, the proxy chain and chat limits: the settings that shape traffic.

/** `host:port` or a `redis://` URL, as node-redis wants it. */
function clusterNodeUrl(node: string): string {
  const url = node.includes("://") ? node : `redis://${node}`;
  const parsed = checkUrl("REDIS_CLUSTER_NODES", url, ["redis:", "rediss:"]);
  if (new URL(parsed).port === "") throw new ConfigError("REDIS_CLUSTER_NODES entries must be host:port");
  return parsed;
}

export function readRedis(read: Reader): RedisSettings | undefined {
  const url = read.raw("REDIS_URL");
  const nodes = read.list("REDIS_CLUSTER_NODES");
  if (url !== undefined && nodes.length > 0) {
    throw new ConfigError("set either REDIS_URL or REDIS_CLUSTER_NODES, not both");
  }
  const keyPrefix = read.string("REDIS_KEY_PREFIX", "gatehouse:");
  // A brace in the prefix would become every key's hash tag and put all keys in one cluster slot.
  if (!/^[A-Za-z0-9:_.-]{0,64}$/.test(keyPrefix)) {
    throw new ConfigError("REDIS_KEY_PREFIX may hold up to 64 letters, digits and : _ . - (no braces)");
  }
  const commandTimeoutMs = read.int("REDIS_COMMAND_TIMEOUT_MS", 200, 10, 60_000);
  if (url !== undefined) {
    return {
      target: { kind: "single", url: checkUrl("REDIS_URL", url, ["redis:", "rediss:"]) },
      commandTimeoutMs,
      keyPrefix,
    };
  }
  if (nodes.length > 0) {
    return { target: { kind: "cluster", nodeUrls: nodes.map(clusterNodeUrl) }, commandTimeoutMs, keyPrefix };
  }
  return undefined;
}

/** The environment prefix of each category: `<PREFIX>_REQUESTS` and `<PREFIX>_WINDOW_SECONDS`. */
export const RATE_LIMIT_ENV: Readonly<Record<RateLimitCategory, string>> = {
  auth: "RATE_LIMIT_AUTH",
  refresh: "RATE_LIMIT_REFRESH",
  api: "RATE_LIMIT_API",
  api_anonymous: "RATE_LIMIT_API_ANONYMOUS",
  admin: "RATE_LIMIT_ADMIN",
  login_failures: "RATE_LIMIT_LOGIN_FAILURES",
};

export function readRateLimits(read: Reader, production: boolean): RateLimitPolicy {
  const defaults = defaultRateLimitPolicy(production);
  const entries = RateLimitCategories.map((category) => {
    const prefix = RATE_LIMIT_ENV[category];
    const fallback = defaults[category];
    return [
      category,
      {
        limit: read.int(`${prefix}_REQUESTS`, fallback.limit, 1, 1_000_000),
        windowSeconds: read.int(`${prefix}_WINDOW_SECONDS`, fallback.windowSeconds, 1, 86_400),
      },
    ] as const;
  });
  return Object.fromEntries(entries) as Record<RateLimitCategory, RateLimitPolicy[RateLimitCategory]>;
}

// proxy-addr's names for well-known ranges, accepted by Fastify's trustProxy.
const PROXY_RANGE_NAMES = new Set(["loopback", "linklocal", "uniquelocal"]);

function isAddressOrCidr(item: string): boolean {
  if (PROXY_RANGE_NAMES.has(item)) return true;
  const [address = "", prefix, ...rest] = item.split("/");
  const version = isIP(address);
  if (version === 0 || rest.length > 0) return false;
  if (prefix === undefined) return true;
  return /^\d+$/.test(prefix) && Number(prefix) <= (version === 4 ? 32 : 128);
}

/**
 * `TRUST_PROXY`: off (default), a hop count, or a comma list of proxy addresses/CIDRs. "true"
 * (trust every hop) is refused: any client could then name itself in X-Forwarded-For.
 */
export function readTrustProxy(read: Reader): TrustProxy {
  const value = read.raw("TRUST_PROXY")?.toLowerCase();
  if (value === undefined || ["false", "off", "no", "0"].includes(value)) return false;
  if (/^\d+$/.test(value)) return read.int("TRUST_PROXY", 0, 0, 32);
  const items = read.list("TRUST_PROXY");
  const bad = items.find((item) => !isAddressOrCidr(item));
  if (bad !== undefined) {
    throw new ConfigError(
      `TRUST_PROXY must be off, a hop count, or a comma list of proxy addresses/CIDRs (loopback, 10.0.0.0/8, …); got "${bad}"`,
    );
  }
  return items;
}

export function readChatLimits(read: Reader): ChatLimits {
  const d = DEFAULT_CHAT_LIMITS;
  return {
    maxContentLength: read.int("CHAT_MAX_MESSAGE_LENGTH", d.maxContentLength, 1, 100_000),
    sendRate: {
      limit: read.int("CHAT_SEND_RATE_LIMIT", d.sendRate.limit, 1, 100_000),
      windowSeconds: read.int("CHAT_SEND_RATE_WINDOW_SECONDS", d.sendRate.windowSeconds, 1, 3600),
    },
    maxRoomsPerSocket: read.int("CHAT_MAX_ROOMS_PER_SOCKET", d.maxRoomsPerSocket, 1, 1000),
    maxSocketsPerUser: read.int("CHAT_MAX_SOCKETS_PER_USER", d.maxSocketsPerUser, 1, 10_000),
    maxFrameBytes: read.int("CHAT_MAX_FRAME_BYTES", d.maxFrameBytes, 256, 1_048_576),
    maxInvalidFramesPerMinute: read.int("CHAT_MAX_INVALID_FRAMES_PER_MINUTE", d.maxInvalidFramesPerMinute, 1, 10_000),
    maxBufferedBytes: read.int("CHAT_MAX_BUFFERED_BYTES", d.maxBufferedBytes, 16_384, 1_073_741_824),
    maxReplay: read.int("CHAT_MAX_REPLAY", d.maxReplay, 0, 10_000),
    authTimeoutMs: read.int("CHAT_AUTH_TIMEOUT_MS", d.authTimeoutMs, 100, 60_000),
    heartbeatMs: read.int("CHAT_HEARTBEAT_MS", d.heartbeatMs, 100, 600_000),
  };
}
