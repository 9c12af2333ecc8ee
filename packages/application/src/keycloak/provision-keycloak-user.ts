import {
  type Clock,
  type ExternalTokenIdentity,
  isDomainError,
  normalizeEmail,
  type RequestContext,
  SystemRoles,
  UNUSABLE_PASSWORD_HASH,
  type UnitOfWork,
  type User,
} from "@gatehouse/domain";
import { audit } from "../shared/audit-entry-for.js";
import { DERIVED_USERNAME_ATTEMPTS, derivedUsername } from "../shared/derived-username.js";

export interface ProvisionKeycloakUserDeps {
  readonly uow: UnitOfWork;
  readonly clock: Clock;
  /** REQUIRE_ADMIN_APPROVAL: the new user waits for an administrator, and its token is refused until then. */
  readonly requireAdminApproval: boolean;
  /** A fresh UUID; its first characters make a derived username unique. */
  readonly newId: () => string;
}

/** The audit origin of a provisioning: it happens inside token verification, which knows no request. */
const PROVISIONING = (now: Date): RequestContext => ({
  requestId: "keycloak-provision",
  ipAddress: null,
  userAgent: null,
  startedAt: now,
});

/** What may make a concurrent first sight of one account lose its insert: retried, and the winner found. */
const LOST_RACE = new Set(["DUPLICATE_USERNAME", "DUPLICATE_EMAIL"]);

/**
 * KEYCLOAK_AUTO_PROVISION: the Gatehouse user of a verified realm token whose account no row is
 * linked to yet, created on first sight (`user` role, no usable password: Keycloak holds the
 * credentials; audited `user.provisioned`). Only a token with a verified email provisions, and
 * never onto an existing local account with that email: linking by email would hand the local
 * account to whoever holds the realm account. Concurrent first requests of one account create one
 * user: the loser of the race hits a unique index, retries, and finds the winner's row.
 * Answers undefined when the token cannot provision (no verified email, the email taken).
 */
export function makeProvisionKeycloakUser(deps: ProvisionKeycloakUserDeps) {
  function attempt(identity: ExternalTokenIdentity, email: string, n: number): Promise<User | undefined> {
    return deps.uow.run(async (tx) => {
      const linked = await tx.users.findByKeycloakId(identity.subject);
      if (linked !== undefined) return linked;
      // Each read sees what was committed when it ran: a racing first request that commits
      // between the two leaves this email on the winner's row, linked to this very account.
      // That row is the answer, not "the email is taken" (which refused the losers with 401).
      const holder = await tx.users.findByEmail(email);
      if (holder !== undefined) return holder.keycloakId === identity.subject ? holder : undefined;
      const now = deps.clock.now();
      const created = await tx.users.create(
        {
          username: derivedUsername(identity.username ?? email, null, n, deps.newId),
          email,
          passwordHash: UNUSABLE_PASSWORD_HASH,
          fullName: null,
          phoneNumber: null,
          status: deps.requireAdminApproval ? "pending_approval" : "active",
          emailVerifiedAt: now,
        },
        [SystemRoles.user],
      );
      const user = (await tx.users.update(created.id, { keycloakId: identity.subject }, now)) ?? created;
      await audit(tx, deps, PROVISIONING(now), {
        action: "user.provisioned",
        userId: user.id,
        details: { source: "keycloak_token", keycloak_id: identity.subject },
      });
      return user;
    });
  }

  return async function provisionKeycloakUser(identity: ExternalTokenIdentity): Promise<User | undefined> {
    if (identity.email === null || !identity.emailVerified) return undefined;
    const email = normalizeEmail(identity.email);
    for (let n = 0; ; n += 1) {
      try {
        return await attempt(identity, email, n);
      } catch (error) {
        if (!isDomainError(error) || !LOST_RACE.has(error.code) || n + 1 >= DERIVED_USERNAME_ATTEMPTS) throw error;
      }
    }
  };
}

export type ProvisionKeycloakUser = ReturnType<typeof makeProvisionKeycloakUser>;
