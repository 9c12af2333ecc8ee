/** What a mail carrying a one-time code needs: the code, a link holding it, and its expiry (ISO). */
export interface CodeMailData {
  readonly username: string;
  readonly code: string;
  readonly link: string;
  readonly expiresAt: string;
}

/**
 * Every email Gatehouse sends, as a template name plus the data it needs. Rendering (text and
 * HTML) happens in one place in infrastructure; use cases only choose a template and fill it.
 * Links are absolute URLs built from `PUBLIC_BASE_URL`, never from a request's Host header.
 */
export type MailMessage =
  | { readonly template: "verify-email" | "verify-new-email" | "password-reset"; readonly data: CodeMailData }
  | {
      readonly template: "email-change-notice";
      /** `newEmail` is masked (`maskEmail`): the old mailbox must not learn the new address. */
      readonly data: { readonly username: string; readonly newEmail: string };
    }
  | {
      readonly template: "password-changed" | "registration-attempt" | "mfa-recovery-code-used" | "mfa-reset-by-admin";
      readonly data: { readonly username: string };
    }
  | {
      readonly template: "account-locked";
      /** `resetLink` opens the forgot-password page; it carries no token. */
      readonly data: { readonly username: string; readonly resetLink: string };
    };

export type MailTemplateName = MailMessage["template"];

/** A message addressed to one recipient, as queued in the outbox. */
export type OutgoingMail = MailMessage & { readonly to: string };
