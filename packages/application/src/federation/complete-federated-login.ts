import {
  type AuthorizationState,
  type Clock,
  DomainError,
  FederationFailure,
  type FederationRepositories,
  type FederationUnitOfWork,
  HANDOFF_CODE_TTL_MS,
  type IdentityProviders,
  isDomainError,
  type OpaqueTokens,
  type ProviderProfile,
  type RequestContext,
  SystemRoles,
  sessionBlockedError,
  UNUSABLE_PASSWORD_HASH,
} from "@gatehouse/domain";
import { audit } from "../shared/audit-entry-for.js";
import { DERIVED_USERNAME_ATTEMPTS, derivedUsername } from "../shared/derived-username.js";
import { recordRefusal } from "../shared/refusals.js";

export interface CompleteFederatedLoginInput {
  /** From the path; undefined on the unversioned callback, which finds it from the state. */
  readonly provider?: string;
  readonly query: URLSearchParams;
  /** The binding secret the browser presents (its cookie), checked when the state holds one. */
  readonly browserBinding?: string;
}

export interface CompleteFederatedLoginDeps {
  readonly providers: IdentityProviders;
  readonly federationUow: FederationUnitOfWork;
  readonly opaqueTokens: OpaqueTokens;
  readonly clock: Clock;
  readonly requireAdminApproval: boolean;
  /** A fresh UUID; its first characters make a derived username unique. */
  readonly newId: () => string;
}

/** A sign-in that ends at the app with `?error=reason` (audited as `auth.oauth_failed`). */
class Refused extends Error {
  constructor(readonly reason: string) {
    super(reason);
  }
}

function appRedirect(state: AuthorizationState, result: Record<string, string>): URL {
  const url = new URL(state.redirectUri);
  for (const [key, value] of Object.entries(result)) url.searchParams.set(key, value);
  if (state.appState !== null) url.searchParams.set("state", state.appState);
  return url;
}

/**
 * Step 2 and 3: consumes the state (single use, in its own transaction, so a replay finds
 * nothing even when the rest fails), lets the provider adapter run every protocol check, then
 * resolves the identity (README "Social login"): a known provider account → its user; else a
 * live user with the same address, linked only when both sides verified it; an unverified
 * pending registration of that address is discarded, any other unverified account is refused;
 * else a new user without a password. Answers the app URL to send the browser to, carrying a
 * one-time code (60 s, stored hashed) or `error`.
 * @throws DomainError OAUTH_STATE_INVALID when the state is missing, unknown, expired or replayed.
 */
export function makeCompleteFederatedLogin(deps: CompleteFederatedLoginDeps) {
  /** Links the provider account to `userId` and audits why it was linked. */
  async function linkIdentity(
    tx: FederationRepositories,
    ctx: RequestContext,
    link: { userId: string; provider: string; profile: ProviderProfile; at: Date; by: string },
  ): Promise<string> {
    const { userId, provider, profile, at, by } = link;
    const linked = await tx.identities.link({ userId, provider, subject: profile.subject, email: profile.email, at });
    await audit(tx, deps, ctx, {
      action: "auth.identity_link",
      userId,
      details: { provider, identity_id: linked.id, by },
    });
    return userId;
  }

  async function resolve(
    tx: FederationRepositories,
    state: AuthorizationState,
    profile: ProviderProfile,
    attempt: number,
    ctx: RequestContext,
  ): Promise<string> {
    const now = deps.clock.now();
    const { provider } = state;
    const known = await tx.identities.findBySubject(provider, profile.subject);
    if (state.linkUserId !== null) {
      if (known !== undefined) {
        if (known.userId !== state.linkUserId) throw new DomainError("IDENTITY_ALREADY_LINKED");
        return known.userId;
      }
      const owner = await tx.users.find(state.linkUserId, { lock: true });
      if (owner === undefined) throw new Refused("account_unavailable");
      // Suspended since the link started: the same refusal as signing in.
      const blocked = sessionBlockedError(owner.user.status);
      if (blocked !== undefined) throw new Refused(blocked.code.toLowerCase());
      return linkIdentity(tx, ctx, { userId: owner.user.id, provider, profile, at: now, by: "signed_in_user" });
    }
    if (known !== undefined) {
      const user = await tx.users.find(known.userId);
      if (user === undefined) throw new Refused("account_unavailable");
      await tx.identities.touch(known.id, now);
      return known.userId;
    }
    if (profile.email === null) throw new Refused("email_missing");
    const existing = await tx.users.findByEmail(profile.email);
    if (existing !== undefined) {
      if (existing.emailVerifiedAt !== null && profile.emailVerified) {
        return linkIdentity(tx, ctx, { userId: existing.id, provider, profile, at: now, by: "verified_email" });
      }
      // Nobody proved this address for the local account: linking would hand the provider's
      // user to whoever registered it first (pre-account takeover).
      if (existing.emailVerifiedAt !== null || !profile.emailVerified || existing.status !== "pending_verification") {
        throw new Refused("account_exists");
      }
      await tx.users.deletePermanently(existing.id);
      await audit(tx, deps, ctx, {
        action: "user.registration_expired",
        userId: null,
        resourceId: existing.id,
        details: { reason: "replaced by a verified federated identity", provider },
      });
    }
    const user = await tx.users.create(
      {
        username: derivedUsername(profile.email, profile.name, attempt, deps.newId),
        email: profile.email,
        passwordHash: UNUSABLE_PASSWORD_HASH,
        fullName: profile.name,
        phoneNumber: null,
        status: deps.requireAdminApproval ? "pending_approval" : "active",
        emailVerifiedAt: profile.emailVerified ? now : null,
      },
      [SystemRoles.user],
    );
    return linkIdentity(tx, ctx, { userId: user.id, provider, profile, at: now, by: "new_account" });
  }

  /** Retries a lost race: a derived username taken, or the same provider account linked concurrently. */
  async function resolveWithRetries(state: AuthorizationState, profile: ProviderProfile, ctx: RequestContext) {
    for (let attempt = 0; ; attempt += 1) {
      try {
        return await deps.federationUow.run((tx) => resolve(tx, state, profile, attempt, ctx));
      } catch (error) {
        const raced =
          isDomainError(error) &&
          (error.code === "DUPLICATE_USERNAME" ||
            (error.code === "IDENTITY_ALREADY_LINKED" && state.linkUserId === null));
        if (!raced || attempt + 1 >= DERIVED_USERNAME_ATTEMPTS) throw error;
      }
    }
  }

  async function refuse(ctx: RequestContext, userId: string | null, details: Record<string, unknown>) {
    await recordRefusal({ uow: deps.federationUow, clock: deps.clock }, ctx, {
      action: "auth.oauth_failed",
      userId,
      details,
    });
  }

  return async function completeFederatedLogin(input: CompleteFederatedLoginInput, ctx: RequestContext): Promise<URL> {
    const presented = input.query.get("state");
    const state =
      presented === null || presented.length > 512
        ? undefined
        : await deps.federationUow.run((tx) => tx.federationFlows.consumeState(deps.opaqueTokens.hash(presented)));
    const now = deps.clock.now();
    if (
      state === undefined ||
      state.expiresAt <= now ||
      (input.provider !== undefined && input.provider !== state.provider)
    ) {
      const reason = presented === null ? "state_missing" : state === undefined ? "state_unknown" : "state_expired";
      await refuse(ctx, null, { provider: input.provider ?? state?.provider ?? null, reason });
      throw new DomainError("OAUTH_STATE_INVALID");
    }
    const provider = deps.providers.get(state.provider);
    if (provider === undefined) throw new DomainError("OAUTH_STATE_INVALID");
    // Started in a browser that keeps a binding: finished in another one (a provider URL sent to
    // someone), it would link their provider account to the starter. The code is never exchanged.
    const presentedBinding = input.browserBinding;
    if (
      state.bindingHash !== null &&
      (presentedBinding === undefined || deps.opaqueTokens.hash(presentedBinding) !== state.bindingHash)
    ) {
      await refuse(ctx, state.linkUserId, { provider: state.provider, reason: "browser_mismatch" });
      return appRedirect(state, { error: "browser_mismatch" });
    }
    let userId: string;
    try {
      const profile = await provider.complete(input.query, {
        state: presented as string,
        codeVerifier: state.codeVerifier,
        nonce: state.nonce,
        callbackUrl: state.callbackUrl,
      });
      userId = await resolveWithRetries(state, profile, ctx);
    } catch (error) {
      const reason =
        error instanceof FederationFailure || error instanceof Refused
          ? error.reason
          : isDomainError(error) && error.code === "IDENTITY_ALREADY_LINKED"
            ? "identity_already_linked"
            : undefined;
      if (reason === undefined) throw error;
      await refuse(ctx, state.linkUserId, { provider: state.provider, reason });
      return appRedirect(state, { error: reason });
    }
    if (state.linkUserId !== null) return appRedirect(state, { linked: state.provider });

    const user = await deps.federationUow.run((tx) => tx.users.find(userId));
    const blocked = user === undefined ? undefined : sessionBlockedError(user.user.status);
    if (user === undefined || blocked !== undefined) {
      const reason = blocked === undefined ? "account_unavailable" : blocked.code.toLowerCase();
      await refuse(ctx, userId, { provider: state.provider, reason });
      return appRedirect(state, { error: reason });
    }
    const code = deps.opaqueTokens.generate();
    await deps.federationUow.run((tx) =>
      tx.federationFlows.saveHandoff(
        code.hash,
        {
          userId,
          provider: state.provider,
          codeChallenge: state.appCodeChallenge,
          expiresAt: new Date(now.getTime() + HANDOFF_CODE_TTL_MS),
        },
        now,
      ),
    );
    return appRedirect(state, { code: code.token });
  };
}

export type CompleteFederatedLogin = ReturnType<typeof makeCompleteFederatedLogin>;
