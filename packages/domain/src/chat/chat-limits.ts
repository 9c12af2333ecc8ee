import type { RateLimitRule } from "../ports/rate-limiter.js";

/** The limits of the chat protocol; each is configurable (README "Chat"). */
export interface ChatLimits {
  /** Characters of one message's content, at most. */
  readonly maxContentLength: number;
  /** Messages a user may send in any window (shared by all of that user's sockets). */
  readonly sendRate: RateLimitRule;
  /** Rooms one socket may have joined at once. */
  readonly maxRoomsPerSocket: number;
  /** Open sockets of one user on one node. */
  readonly maxSocketsPerUser: number;
  /** Bytes of one incoming frame; a larger frame closes the socket (1009). */
  readonly maxFrameBytes: number;
  /** Invalid frames (malformed, unknown, refused) a socket may send per minute before it is closed (1008). */
  readonly maxInvalidFramesPerMinute: number;
  /** Bytes queued for one socket before it counts as a slow consumer and is closed (1013). */
  readonly maxBufferedBytes: number;
  /** Messages replayed on `connect` with `last_message_id`, at most. */
  readonly maxReplay: number;
  /** Milliseconds a new socket has to authorise before it is closed (4401). */
  readonly authTimeoutMs: number;
  /** Milliseconds between pings; a socket that misses two pongs is closed. */
  readonly heartbeatMs: number;
}

export const DEFAULT_CHAT_LIMITS: ChatLimits = {
  maxContentLength: 4000,
  // 10 messages a second on average, bursts of 20.
  sendRate: { limit: 20, windowSeconds: 2 },
  maxRoomsPerSocket: 20,
  maxSocketsPerUser: 10,
  // Room for 4,000 characters of any script, JSON-escaped.
  maxFrameBytes: 32_768,
  maxInvalidFramesPerMinute: 10,
  maxBufferedBytes: 1_048_576,
  maxReplay: 500,
  authTimeoutMs: 5000,
  heartbeatMs: 30_000,
};

/** History pages hold 1-100 messages; 50 when the client does not say. */
export const HISTORY_PAGE_MAX = 100;
export const HISTORY_PAGE_DEFAULT = 50;
