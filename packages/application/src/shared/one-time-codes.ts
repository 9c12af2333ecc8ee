import {
  type Clock,
  judgeCode,
  MAX_CODE_ATTEMPTS,
  type MailTemplateName,
  normalizeEmail,
  type OneTimeCode,
  type OneTimeCodePurpose,
  type OneTimeCodeRepository,
  type OneTimeSecrets,
  type TransactionalRepositories,
  type User,
  type UserRepository,
  validationError,
} from "@gatehouse/domain";
import { type LifecyclePolicy, LinkPaths } from "./lifecycle-policy.js";
import { queueThrottledMail } from "./throttled-mail.js";

/** A freshly issued code: the secrets go into the mail only, the hashes into the store. */
export interface IssuedCode {
  readonly code: string;
  readonly link: string;
  readonly expiresAt: Date;
}

const TEMPLATES = {
  verify_email: "verify-email",
  change_email: "verify-new-email",
  reset_password: "password-reset",
} as const satisfies Record<OneTimeCodePurpose, MailTemplateName>;

/**
 * Issues a new code for `purpose` (revoking older ones) and queues the mail that carries it to
 * `email`, both inside the caller's unit of work; neither when the address's mail throttle
 * drops the mail (then undefined).
 */
export async function sendCode(
  tx: Pick<TransactionalRepositories, "oneTimeCodes" | "outbox" | "mailThrottle">,
  deps: {
    readonly secrets: OneTimeSecrets;
    readonly clock: Clock;
    readonly publicBaseUrl: string;
    readonly policy: Pick<LifecyclePolicy, "resendLimits" | "linkPaths">;
  },
  request: {
    readonly userId: string;
    readonly username: string;
    readonly purpose: OneTimeCodePurpose;
    readonly email: string;
    readonly ttlMs: number;
    /** The recipient asked for this code again (resend, reset); see `queueThrottledMail`. */
    readonly again?: boolean;
  },
): Promise<IssuedCode | undefined> {
  const now = deps.clock.now();
  const code = deps.secrets.newCode();
  const token = deps.secrets.newLinkToken();
  const expiresAt = new Date(now.getTime() + request.ttlMs);
  const path = deps.policy.linkPaths?.[request.purpose] ?? LinkPaths[request.purpose];
  const link = `${deps.publicBaseUrl}${path}?token=${encodeURIComponent(token)}`;
  // The throttle first: a dropped mail must not revoke the code an earlier mail carried.
  const queued = await queueThrottledMail(
    tx,
    deps,
    deps.policy.resendLimits,
    {
      to: request.email,
      template: TEMPLATES[request.purpose],
      data: { username: request.username, code, link, expiresAt: expiresAt.toISOString() },
    },
    request.again,
  );
  if (!queued) return undefined;
  await tx.oneTimeCodes.issue(
    {
      userId: request.userId,
      purpose: request.purpose,
      email: request.email,
      codeHash: deps.secrets.hash(code),
      tokenHash: deps.secrets.hash(token),
      expiresAt,
    },
    now,
  );
  return { code, link, expiresAt };
}

/** What the user typed or clicked: a code for a known user, or a link token. */
export type PresentedCode = { readonly code: string; readonly userId: string } | { readonly token: string };

export type CodeCheck =
  | { readonly outcome: "match" | "expired" | "ended"; readonly code: OneTimeCode }
  | { readonly outcome: "unknown" | "wrong" | "burned" };

export interface CodeCheckDeps {
  /** Outside any unit of work: a claimed attempt must stay counted even when the request fails. */
  readonly codes: Pick<OneTimeCodeRepository, "findLatest" | "findByTokenHash" | "claimAttempt">;
  readonly secrets: OneTimeSecrets;
  readonly clock: Clock;
}

/**
 * Checks a presented code. A typed code is evaluated only after an attempt was claimed
 * atomically (so parallel guesses cannot exceed MAX_CODE_ATTEMPTS) and compared in constant
 * time; a link token carries 256 bits and is looked up by its hash. Nothing is consumed here.
 */
export async function checkPresentedCode(
  deps: CodeCheckDeps,
  purpose: OneTimeCodePurpose,
  presented: PresentedCode,
): Promise<CodeCheck> {
  const now = deps.clock.now();
  if ("token" in presented) {
    const code = await deps.codes.findByTokenHash(deps.secrets.hash(presented.token));
    if (code === undefined || code.purpose !== purpose) return { outcome: "unknown" };
    const verdict = judgeCode(code, now);
    return { outcome: verdict === "usable" ? "match" : verdict, code };
  }
  const code = await deps.codes.findLatest(presented.userId, purpose);
  if (code === undefined) return { outcome: "unknown" };
  if (judgeCode(code, now) === "expired") return { outcome: "expired", code };
  if (!(await deps.codes.claimAttempt(code.id, MAX_CODE_ATTEMPTS))) return { outcome: "burned" };
  return deps.secrets.matches(presented.code, code.codeHash) ? { outcome: "match", code } : { outcome: "wrong" };
}

/** Codes are six digits; anything else is refused before touching the store. */
export const CODE_SHAPE = /^[0-9]{6}$/;

/**
 * The user a presented code belongs to: by the link token's code, or by the email address
 * (whose code is then checked). The user is undefined when nothing matches.
 */
export async function locateCodeOwner(
  deps: CodeCheckDeps & { readonly users: Pick<UserRepository, "findByEmail" | "find"> },
  input: { readonly token: string } | { readonly email: string; readonly code: string },
): Promise<{ user: User | undefined; presented: PresentedCode }> {
  if ("token" in input) {
    const code = await deps.codes.findByTokenHash(deps.secrets.hash(input.token));
    const account = code && (await deps.users.find(code.userId));
    return { user: account?.user, presented: { token: input.token } };
  }
  if (!CODE_SHAPE.test(input.code)) throw validationError([{ field: "code", message: "must be 6 digits" }]);
  const user = await deps.users.findByEmail(normalizeEmail(input.email));
  return { user, presented: { code: input.code, userId: user?.id ?? "" } };
}
