import type { AuditLog, MailOutbox, MailThrottle, OneTimeCode, OneTimeCodeRepository } from "@gatehouse/domain";
import { type FakeStore, unsupported } from "./fake-store.js";

/** The fake `AuditLog`: appends, remembering the unit of work; reading the trail is for PGlite. */
export function makeFakeAuditLog(store: FakeStore): AuditLog {
  return {
    async append(entry) {
      store.maybeFail("auditLog.append");
      store.state.audit.push({ entry, txId: store.currentTx });
    },
    list: unsupported,
    dailyCounts: unsupported,
  };
}

export function makeFakeOutbox(store: FakeStore): MailOutbox {
  return {
    async enqueue(mail) {
      store.state.outbox.push({ mail, txId: store.currentTx });
    },
  };
}

/** The fake `OneTimeCodeRepository`: one live code per user and purpose, attempts claimed one at a time. */
export function makeFakeOneTimeCodes(store: FakeStore): OneTimeCodeRepository {
  const isUnused = (code: OneTimeCode) => code.usedAt === null && code.revokedAt === null;
  const change = (id: string, update: (code: OneTimeCode) => OneTimeCode | undefined): boolean => {
    const code = store.state.codes.find((candidate) => candidate.id === id);
    const updated = code && update(code);
    if (updated === undefined) return false;
    store.state.codes = store.state.codes.map((candidate) => (candidate.id === id ? updated : candidate));
    return true;
  };
  const revokeAll: OneTimeCodeRepository["revokeAll"] = async (userId, purpose, at) => {
    let revoked = 0;
    store.state.codes = store.state.codes.map((code) => {
      if (code.userId !== userId || code.purpose !== purpose || !isUnused(code)) return code;
      revoked += 1;
      return { ...code, revokedAt: at };
    });
    return revoked;
  };
  return {
    async issue(input, at) {
      await revokeAll(input.userId, input.purpose, at);
      const code: OneTimeCode = {
        ...input,
        id: store.newId("otc"),
        attempts: 0,
        createdAt: at,
        usedAt: null,
        revokedAt: null,
      };
      store.state.codes.push(code);
      return code;
    },
    findLatest: async (userId, purpose) =>
      store.state.codes.filter((code) => code.userId === userId && code.purpose === purpose && isUnused(code)).at(-1),
    findByTokenHash: async (tokenHash) => store.state.codes.find((code) => code.tokenHash === tokenHash),
    claimAttempt: async (id, maxAttempts) =>
      change(id, (code) =>
        isUnused(code) && code.attempts < maxAttempts ? { ...code, attempts: code.attempts + 1 } : undefined,
      ),
    consume: async (id, at) => change(id, (code) => (isUnused(code) ? { ...code, usedAt: at } : undefined)),
    revokeAll,
  };
}

/** The fake `MailThrottle`: a cooldown and a cap per window, per key. */
export function makeFakeMailThrottle(store: FakeStore): MailThrottle {
  return {
    async take(key, limits, now) {
      const windowStart = now.getTime() - limits.windowSeconds * 1000;
      const sent = store.state.throttle
        .filter((r) => r.key === key && r.at.getTime() > windowStart)
        .map((r) => r.at.getTime());
      const waits: number[] = [];
      if (sent.length > 0 && limits.cooldownSeconds > 0)
        waits.push(Math.max(...sent) + limits.cooldownSeconds * 1000 - now.getTime());
      if (sent.length >= limits.maxPerWindow)
        waits.push(Math.min(...sent) + limits.windowSeconds * 1000 - now.getTime());
      const waitMs = Math.max(0, ...waits);
      if (waitMs > 0) return { allowed: false, retryAfterSeconds: Math.ceil(waitMs / 1000) };
      store.state.throttle.push({ key, at: now });
      return { allowed: true };
    },
  };
}
