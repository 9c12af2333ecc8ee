import { randomUUID } from "node:crypto";
import type { ChatPresenceBoard } from "@gatehouse/domain";
import { type RedisConnection, RedisScript } from "../redis/redis-connection.js";

/**
 * Per room, a sorted set of the nodes with users in it, scored by when their lease runs out,
 * and per node a set of its users beside it (`<nodes key>:<node id>`). The room's hash tag is
 * in both, so in a Cluster one room's keys share a slot and one script can read them all.
 */
const nodesKey = (roomId: string) => `chat:presence:{${roomId}}:nodes`;

// Both scripts take "now" from Redis, not from the node: leases written by nodes whose clocks
// disagree still expire in one order. The node sets are named after KEYS[1], so they live in
// its slot; they carry their own PEXPIRE, so a crashed node's users leave no key behind.
const NOW_MS = `
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
`;

/** KEYS[1] the room's nodes; ARGV: node id, ttl ms, then the node's users (none: remove). */
const PUBLISH = new RedisScript(`${NOW_MS}
local ttl = tonumber(ARGV[2])
local mine = KEYS[1] .. ':' .. ARGV[1]
redis.call('DEL', mine)
if #ARGV > 2 then
  -- In chunks: unpack() of a very long list overflows Lua's stack.
  for i = 3, #ARGV, 1000 do redis.call('SADD', mine, unpack(ARGV, i, math.min(i + 999, #ARGV))) end
  redis.call('PEXPIRE', mine, ttl)
  redis.call('ZADD', KEYS[1], now + ttl, ARGV[1])
else
  redis.call('ZREM', KEYS[1], ARGV[1])
end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
-- The nodes key lives as long as its longest lease (gone already when it emptied).
local last = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
if last[2] then redis.call('PEXPIREAT', KEYS[1], last[2]) end
return 1
`);

/** KEYS[1] the room's nodes: distinct users over the nodes whose lease has not run out. */
const COUNT = new RedisScript(`${NOW_MS}
local live = redis.call('ZRANGEBYSCORE', KEYS[1], '(' .. now, '+inf')
if #live == 0 then return 0 end
if #live == 1 then return redis.call('SCARD', KEYS[1] .. ':' .. live[1]) end
local sets = {}
for i, node in ipairs(live) do sets[i] = KEYS[1] .. ':' .. node end
return #redis.call('SUNION', unpack(sets))
`);

/**
 * Presence shared through Redis (README "Chat"): each node writes its own users per room
 * under a lease of `ttlMs` and counts everyone's. One script call per room, each atomic, so
 * a count never sees a node's entry half replaced.
 */
export class RedisChatPresenceBoard implements ChatPresenceBoard {
  /** This node in the nodes sets; new per process, like `RedisChatBus`'s origin. */
  private readonly node = randomUUID();

  constructor(
    private readonly redis: Pick<RedisConnection, "runScript">,
    readonly ttlMs: number,
  ) {}

  async publish(roomId: string, userIds: readonly string[]): Promise<void> {
    await this.redis.runScript(PUBLISH, [nodesKey(roomId)], [this.node, String(this.ttlMs), ...new Set(userIds)]);
  }

  async onlineCounts(roomIds: readonly string[]): Promise<ReadonlyMap<string, number>> {
    const counts = await Promise.all(
      roomIds.map(
        async (roomId) => [roomId, Number(await this.redis.runScript(COUNT, [nodesKey(roomId)], []))] as const,
      ),
    );
    return new Map(counts);
  }
}
