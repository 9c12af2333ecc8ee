import {
  type AuditEntry,
  judgePresentedToken,
  type NewRefreshToken,
  type RefreshToken,
  type RefreshTokenPresentation,
  type RefreshTokenPresentationResult,
  type RefreshTokenRepository,
  type RevocationReason,
} from "@gatehouse/domain";
import type { FakeStore } from "./fake-store.js";

const activeIn = (store: FakeStore, familyId: string) =>
  store.state.refreshTokens.filter((token) => token.familyId === familyId && token.revokedAt === null);

function replace(store: FakeStore, token: RefreshToken): void {
  const index = store.state.refreshTokens.findIndex((candidate) => candidate.id === token.id);
  if (index < 0) throw new Error(`no refresh token ${token.id}`);
  store.state.refreshTokens[index] = token;
}

/** Stores a token under the store-level constraints: unique hash, at most one active token per family. */
function storeToken(store: FakeStore, token: NewRefreshToken): RefreshToken {
  if (store.state.refreshTokens.some((existing) => existing.tokenHash === token.tokenHash)) {
    throw new Error("unique violation: refresh token hash");
  }
  const id = store.newId("rt");
  const familyId = token.familyId ?? id;
  if (activeIn(store, familyId).length > 0) {
    throw new Error(`unique violation: family ${familyId} already has an active token`);
  }
  const stored: RefreshToken = {
    ...token,
    id,
    familyId,
    createdAt: store.clock.now(),
    lastUsedAt: null,
    revokedAt: null,
    revokedReason: null,
    replacedBy: null,
  };
  store.state.refreshTokens.push(stored);
  return stored;
}

/** The fake `RefreshTokenRepository`. */
export function makeFakeRefreshTokens(store: FakeStore, lockCalls: string[]): RefreshTokenRepository {
  const revokeWhere = (match: (token: RefreshToken) => boolean, reason: RevocationReason, at: Date) => {
    const revoked = store.state.refreshTokens.filter((token) => token.revokedAt === null && match(token));
    for (const token of revoked) replace(store, { ...token, revokedAt: at, revokedReason: reason });
    return revoked;
  };
  const byHash = (hash: string) => store.state.refreshTokens.find((token) => token.tokenHash === hash);
  const auditOf = (p: RefreshTokenPresentation, entry: Pick<AuditEntry, "action" | "userId" | "status" | "details">) =>
    store.state.audit.push({
      entry: { ...p.origin, ...entry, resourceType: "user", resourceId: entry.userId },
      txId: store.currentTx,
    });
  // The same decision as the SQL function, synchronously (nothing else runs meanwhile: atomic).
  function present(p: RefreshTokenPresentation): RefreshTokenPresentationResult {
    lockCalls.push(p.tokenHash);
    const presented = byHash(p.tokenHash);
    if (presented === undefined) return { verdict: "invalid" };
    const ids = { familyId: presented.familyId, userId: presented.userId };
    const byId = (id: string) => store.state.refreshTokens.find((token) => token.id === id);
    const verdict = judgePresentedToken(presented, p.now, p.graceSeconds, byId);
    if (verdict === "expired" || verdict === "revoked") return { verdict, ...ids };
    if (verdict === "reuse") {
      revokeWhere((token) => token.familyId === presented.familyId, "reuse_detected", p.now);
      auditOf(p, {
        action: "auth.refresh_reuse_detected",
        userId: presented.userId,
        status: "failure",
        details: { session_id: presented.familyId, token_id: presented.id },
      });
      return { verdict, ...ids };
    }
    const current = verdict === "rotate" ? presented : activeIn(store, presented.familyId)[0];
    if (current === undefined) return { verdict: "revoked", ...ids };
    if (current.sessionExpiresAt.getTime() <= p.now.getTime()) return { verdict: "expired", ...ids };
    const owner = store.state.users.find((stored) => stored.user.id === presented.userId && !stored.user.deletedAt);
    if (owner?.user.status !== "active") {
      revokeWhere((token) => token.familyId === presented.familyId, "account_inactive", p.now);
      return { verdict: "inactive", ...ids, userStatus: owner?.user.status ?? null };
    }
    store.maybeFail("refreshTokens.rotate");
    const expiresAt = new Date(Math.min(p.next.expiresAt.getTime(), current.sessionExpiresAt.getTime()));
    // A re-issue retires the current token unused: it must never count as presented.
    const lastUsedAt = verdict === "rotate" ? p.now : current.lastUsedAt;
    const retired = { ...current, revokedAt: p.now, revokedReason: "rotated" as const, lastUsedAt };
    replace(store, retired);
    const successor = storeToken(store, {
      tokenHash: p.next.tokenHash,
      expiresAt,
      userAgent: p.next.userAgent,
      ipAddress: p.next.ipAddress,
      userId: current.userId,
      familyId: current.familyId,
      parentId: current.id,
      sessionExpiresAt: current.sessionExpiresAt,
    });
    replace(store, { ...retired, replacedBy: successor.id });
    auditOf(p, {
      action: "auth.refresh",
      userId: presented.userId,
      status: "success",
      details: {
        session_id: presented.familyId,
        grace_reissue: verdict !== "rotate",
        ...(verdict === "retry" ? { late_retry: true } : {}),
      },
    });
    return { verdict, ...ids, expiresAt };
  }
  return {
    present: async (presentation) => present(presentation),
    async lockFamilyOf(tokenHash) {
      lockCalls.push(tokenHash);
      return byHash(tokenHash);
    },
    findActiveInFamily: async (familyId) => activeIn(store, familyId)[0],
    insert: async (token) => storeToken(store, token),
    async rotate(current, next, at) {
      store.maybeFail("refreshTokens.rotate");
      const stored = store.state.refreshTokens.find((token) => token.id === current.id);
      if (stored === undefined || stored.revokedAt !== null) {
        throw new Error(`refresh token ${current.id} is not active and cannot be rotated`);
      }
      const retired = { ...stored, revokedAt: at, revokedReason: "rotated" as const, lastUsedAt: at };
      replace(store, retired);
      const successor = storeToken(store, {
        ...next,
        userId: stored.userId,
        familyId: stored.familyId,
        parentId: stored.id,
        sessionExpiresAt: stored.sessionExpiresAt,
      });
      replace(store, { ...retired, replacedBy: successor.id });
      return successor;
    },
    revokeFamily: async (familyId, reason, at) =>
      revokeWhere((token) => token.familyId === familyId, reason, at).length,
    async revokeAllForUser(userId, reason, at, keepFamilyId) {
      const revoked = revokeWhere((token) => token.userId === userId && token.familyId !== keepFamilyId, reason, at);
      return [...new Set(revoked.map((token) => token.familyId))];
    },
    listActiveSessions: async (userId, now) =>
      store.state.refreshTokens
        .filter((token) => token.userId === userId && token.revokedAt === null && token.expiresAt > now)
        .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime())
        .map((token) => {
          const family = store.state.refreshTokens.filter((member) => member.familyId === token.familyId);
          return {
            id: token.familyId,
            createdAt: new Date(Math.min(...family.map((member) => member.createdAt.getTime()))),
            lastUsedAt: token.createdAt,
            userAgent: token.userAgent,
            ipAddress: token.ipAddress,
          };
        }),
    async familiesRevokedSince(since) {
      const ended = store.state.refreshTokens.filter(
        (token) => token.revokedAt !== null && token.revokedReason !== "rotated" && token.revokedAt >= since,
      );
      return [...new Set(ended.map((token) => token.familyId))];
    },
  };
}
