import {
  type AuditAction,
  type Clock,
  checkPassword,
  type DomainError,
  type FieldIssue,
  type PasswordPolicy,
  type RequestContext,
  type RevocationReason,
  type TransactionalRepositories,
  type User,
  UserChanges,
} from "@gatehouse/domain";
import { audit } from "./audit-entry-for.js";

/** The words a password may not be built on besides the lists: the product and the account's own names. */
export interface PasswordContext {
  readonly email?: string;
  readonly username?: string;
}

const PRODUCT_WORDS = ["gatehouse"];

/** A password's comparison forms: NFKC + lower case, and that without trailing digits and symbols. */
function candidatesOf(password: string): string[] {
  const normalized = password.normalize("NFKC").toLowerCase();
  const base = normalized.replace(/[\p{N}\p{P}\p{S}\s]+$/u, "");
  return base.length >= 3 && base !== normalized ? [normalized, base] : [normalized];
}

function contextWordsOf(context: PasswordContext): string[] {
  const words = [...PRODUCT_WORDS, context.email?.split("@")[0], context.username];
  return words
    .map((word) => word?.normalize("NFKC").toLowerCase().trim())
    .filter((word): word is string => word !== undefined && word.length >= 3);
}

/**
 * The one password policy for every password being set (register, change, reset, admin create,
 * bootstrap admin): length and optional composition, then the context words (the product name,
 * the email's local part, the username: refused when the password is one of them plus digits or
 * symbols, or contains one of four characters or more), then the policy's screens (the common
 * list, the breach filter, the online range check) in order. Compared after NFKC normalisation
 * and lower-casing, so "ＰＡＳＳＷＯＲＤ1" is "password1". A refusal by the words or a screen
 * carries the policy's advisor's feedback (warning, suggestions) so the user can do better.
 */
export async function checkNewPassword(
  password: string,
  policy: PasswordPolicy,
  context: PasswordContext,
  field = "password",
): Promise<FieldIssue | undefined> {
  const shape = checkPassword(password, policy, field);
  if (shape !== undefined) return shape;
  const candidates = candidatesOf(password);
  const [normalized = ""] = candidates;
  const onContext = contextWordsOf(context).some(
    (word) => candidates.includes(word) || (word.length >= 4 && normalized.includes(word)),
  );
  const refused = (message: string): FieldIssue => {
    const feedback = policy.advisor?.feedback(password, contextWordsOf(context));
    return feedback === undefined ? { field, message } : { field, message, feedback };
  };
  if (onContext) return refused("must not be based on the product name, your email or your username");
  for (const screen of policy.screens ?? []) {
    if (await screen.isRefused(password, candidates)) {
      return refused(
        screen.refusesAs === "common"
          ? "is too common; choose a longer passphrase"
          : "has appeared in a data breach; choose another",
      );
    }
  }
  return undefined;
}

/** One password change (by its owner, or through recovery) as the shared tail writes it. */
export interface NewPassword {
  readonly user: User;
  readonly passwordHash: string;
  readonly action: AuditAction;
  /** Why the ended sessions were revoked; undefined: no session ends. */
  readonly revokeAs: RevocationReason | undefined;
  /** The session kept when the others end (the request's own). */
  readonly keepFamilyId?: string;
  /** The audit details key counting the ended sessions. */
  readonly countedAs: "sessions_revoked" | "other_sessions_ended";
  /** The error when the user is gone meanwhile. */
  readonly gone: () => DomainError;
}

/**
 * The common tail of changing and resetting a password, inside the caller's unit of work:
 * store the hash, end the sessions and the device tokens, queue the "password changed" mail and audit it. Returns the
 * ended sessions for `afterUserChange` after the commit.
 */
export async function storeNewPassword(
  tx: TransactionalRepositories,
  deps: { readonly clock: Clock },
  ctx: RequestContext,
  change: NewPassword,
  now: Date,
): Promise<string[]> {
  const { user } = change;
  const stored = await tx.users.update(user.id, UserChanges.password(change.passwordHash, now), now, {
    deleted: false,
  });
  if (stored === undefined) throw change.gone();
  const ended =
    change.revokeAs === undefined
      ? []
      : await tx.refreshTokens.revokeAllForUser(user.id, change.revokeAs, now, change.keepFamilyId);
  // A device token proves the old password was known: none survives its change.
  await tx.deviceTokens.revokeAllForUser(user.id, now);
  await tx.outbox.enqueue({ to: stored.email, template: "password-changed", data: { username: stored.username } });
  await audit(tx, deps, ctx, {
    action: change.action,
    userId: user.id,
    details: { [change.countedAs]: ended.length },
  });
  return ended;
}
