import type { ApiUseCases } from "@gatehouse/api";
import { wireAccount } from "./account.js";
import { wireAdmin } from "./admin.js";
import { wireAuth } from "./auth.js";
import { wireChat } from "./chat.js";
import { wireFederation, wireIdentities } from "./federation.js";
import { wireHealth, wireRateLimit } from "./health.js";
import { wireMfa } from "./mfa.js";
import { wirePages } from "./pages.js";
import { wirePasskeyLogin } from "./passkeys.js";
import { wireRbac } from "./rbac.js";
import { wireRecovery } from "./recovery.js";
import { wireRegistration } from "./registration.js";
import type { Wiring } from "./wiring.js";

/** `{ [key]: value }` when the feature is on, `{}` when its wiring answered undefined. */
function optional<K extends string, V>(key: K, value: V | undefined): Partial<Record<K, V>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, V>);
}

/** Every use case the API calls, one wiring function per feature group. */
export function wireUseCases(w: Wiring): ApiUseCases {
  return {
    auth: wireAuth(w),
    registration: wireRegistration(w),
    recovery: wireRecovery(w),
    account: wireAccount(w),
    admin: wireAdmin(w),
    rbac: wireRbac(w),
    health: wireHealth(w),
    rateLimit: wireRateLimit(w),
    chat: wireChat(w),
    federation: wireFederation(w),
    identities: wireIdentities(w),
    pages: wirePages(w),
    mfa: wireMfa(w),
    ...optional("passkeyLogin", wirePasskeyLogin(w)),
  };
}
