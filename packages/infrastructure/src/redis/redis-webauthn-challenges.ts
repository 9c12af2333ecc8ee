import type { WebAuthnChallenge, WebAuthnChallengeStore } from "@gatehouse/domain";
import { type RedisCommands, RedisScript } from "./redis-connection.js";

/** GET and DEL in one script: of concurrent takes of one key exactly one gets the value. */
const TAKE = new RedisScript("local v = redis.call('GET', KEYS[1]) if v then redis.call('DEL', KEYS[1]) end return v");

const keyOf = (challengeHash: string) => `webauthn:challenge:${challengeHash}`;

/**
 * The challenge store with REDIS_URL: one key per challenge with the challenge's lifetime as
 * TTL, taken by a GET+DEL script. The expiry is also kept in the value and checked against
 * the caller's clock, so a challenge is never used past it even while Redis has not evicted it.
 */
export class RedisWebAuthnChallenges implements WebAuthnChallengeStore {
  constructor(private readonly redis: Pick<RedisCommands, "set" | "runScript">) {}

  async save(challenge: WebAuthnChallenge): Promise<void> {
    const ttlSeconds = Math.max(1, Math.ceil((challenge.expiresAt.getTime() - Date.now()) / 1000));
    const value = JSON.stringify({ ...challenge, expiresAt: challenge.expiresAt.toISOString() });
    await this.redis.set(keyOf(challenge.challengeHash), value, ttlSeconds);
  }

  async consume(challengeHash: string, now: Date): Promise<WebAuthnChallenge | undefined> {
    const raw = await this.redis.runScript(TAKE, [keyOf(challengeHash)], []);
    if (typeof raw !== "string") return undefined;
    const stored = JSON.parse(raw) as Omit<WebAuthnChallenge, "expiresAt"> & { expiresAt: string };
    const challenge: WebAuthnChallenge = { ...stored, expiresAt: new Date(stored.expiresAt) };
    return challenge.expiresAt.getTime() > now.getTime() ? challenge : undefined;
  }
}
