import type { DeviceToken, DeviceTokenRepository } from "@gatehouse/domain";
import type { FakeStore } from "./fake-store.js";

/** The fake `DeviceTokenRepository`: live means not revoked and not expired at the given time. */
export function makeFakeDeviceTokens(store: FakeStore): DeviceTokenRepository {
  const isLive = (token: DeviceToken, now: Date) => token.revokedAt === null && token.expiresAt > now;
  const revokeWhere = (match: (token: DeviceToken) => boolean, now: Date): number => {
    let revoked = 0;
    store.state.deviceTokens = store.state.deviceTokens.map((token) => {
      if (!match(token) || !isLive(token, now)) return token;
      revoked += 1;
      return { ...token, revokedAt: now };
    });
    return revoked;
  };
  return {
    async findLive(tokenHash, now) {
      return store.state.deviceTokens.find((token) => token.tokenHash === tokenHash && isLive(token, now));
    },
    async issue(token, now, replacesId) {
      if (replacesId !== undefined) {
        revokeWhere((stored) => stored.id === replacesId && stored.userId === token.userId, now);
      }
      const stored: DeviceToken = { ...token, id: store.newId("device"), createdAt: now, revokedAt: null };
      store.state.deviceTokens.push(stored);
      return stored;
    },
    async revoke(userId, id, now) {
      return revokeWhere((token) => token.id === id && token.userId === userId, now) > 0;
    },
    async revokeAllForUser(userId, now) {
      return revokeWhere((token) => token.userId === userId, now);
    },
    async listLive(userId, now) {
      return store.state.deviceTokens
        .filter((token) => token.userId === userId && isLive(token, now))
        .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || (a.id < b.id ? 1 : -1));
    },
  };
}
