import type { CodeMailData, OutgoingMail } from "@gatehouse/domain";
import type { MailTemplateOverrides } from "./template-overrides.js";

/** A message ready for the wire: both bodies carry the same content. */
export interface RenderedMail {
  readonly to: string;
  readonly subject: string;
  readonly text: string;
  readonly html: string;
}

/** What a template says, before layout: paragraphs, and optionally a code and a link. */
interface MailContent {
  readonly subject: string;
  readonly greeting: string;
  readonly paragraphs: readonly string[];
  readonly code?: string;
  readonly link?: { readonly label: string; readonly href: string };
  readonly closing?: string;
}

const IGNORE_IF_NOT_YOU = "If you did not ask for this, you can ignore this email.";

/** The shape every one-time-code mail shares: intro, the code, the link, expiry. */
function codeMail(
  greeting: string,
  data: CodeMailData,
  words: { subject: string; intro: string; linkLabel: string; afterwards?: string },
): MailContent {
  const expiry = `The code and the link are valid until ${new Date(data.expiresAt).toUTCString()}.`;
  return {
    subject: words.subject,
    greeting,
    paragraphs: [words.intro],
    code: data.code,
    link: { label: words.linkLabel, href: data.link },
    closing: [expiry, IGNORE_IF_NOT_YOU, words.afterwards].filter(Boolean).join(" "),
  };
}

/**
 * Every template in one place. Only the data varies; each case decides the words. Adding a
 * template to MailMessage without a case here does not compile (the switch is exhaustive).
 */
function contentOf(mail: OutgoingMail, product: string): MailContent {
  const greeting = `Hello ${mail.data.username},`;
  switch (mail.template) {
    case "verify-email":
      return codeMail(greeting, mail.data, {
        subject: `Verify your email address for ${product}`,
        intro: "Enter this code to finish creating your account:",
        linkLabel: "Or verify with one click",
      });
    case "verify-new-email":
      return codeMail(greeting, mail.data, {
        subject: `Confirm your new email address for ${product}`,
        intro: "Enter this code to make this address the one you sign in with:",
        linkLabel: "Or confirm with one click",
      });
    case "password-reset":
      return codeMail(greeting, mail.data, {
        subject: `Reset your ${product} password`,
        intro: "Someone asked to reset the password of your account. Enter this code to choose a new one:",
        linkLabel: "Or reset it with one click",
        afterwards: "Your password stays as it is.",
      });
    case "email-change-notice":
      return {
        subject: `Your ${product} email address is being changed`,
        greeting,
        paragraphs: [
          `A change of your account's email address to ${mail.data.newEmail} (shown in part) was requested. The new address becomes the one you sign in with once it is verified.`,
          "If this was not you, change your password now.",
        ],
      };
    case "password-changed":
      return {
        subject: `Your ${product} password was changed`,
        greeting,
        paragraphs: [
          "The password of your account was just changed.",
          "If this was not you, reset your password now and review your active sessions.",
        ],
      };
    case "mfa-recovery-code-used":
      return {
        subject: `A recovery code was used to sign in to your ${product} account`,
        greeting,
        paragraphs: [
          "Someone signed in to your account with your password and one of your recovery codes. That code no longer works.",
          "If this was not you, change your password now, regenerate your recovery codes and review your active sessions.",
        ],
      };
    case "mfa-reset-by-admin":
      return {
        subject: `The two-factor sign-in of your ${product} account was reset`,
        greeting,
        paragraphs: [
          "An administrator removed every second factor of your account (authenticator app, recovery codes and passkeys) and signed you out everywhere. You can now sign in with your password alone.",
          "Set up two-factor authentication again after you sign in. If you did not ask for this, change your password now and contact your administrator.",
        ],
      };
    case "registration-attempt":
      return {
        subject: `Someone tried to register with your email at ${product}`,
        greeting,
        paragraphs: [
          "Someone tried to create an account with this email address, which already has one.",
          "If it was you, sign in instead, or reset your password if you forgot it. Otherwise you can ignore this email.",
        ],
      };
    case "account-locked":
      return {
        subject: `Many failed sign-ins to your ${product} account`,
        greeting,
        paragraphs: [
          "Someone failed to sign in to your account many times, so sign-ins from new devices are paused for a while.",
          "You can still sign in from a device you used before. If these attempts were not yours, choose a new password.",
        ],
        link: { label: "Reset your password", href: mail.data.resetLink },
      };
  }
}

const HTML_ESCAPES: Readonly<Record<string, string>> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

/** Every value reaching the HTML body goes through here: user data (a username) is not markup. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (char) => HTML_ESCAPES[char] ?? char);
}

function textBody(content: MailContent): string {
  const blocks = [content.greeting, ...content.paragraphs];
  if (content.code !== undefined) blocks.push(`    ${content.code}`);
  if (content.link !== undefined) blocks.push(`${content.link.label}: ${content.link.href}`);
  if (content.closing !== undefined) blocks.push(content.closing);
  return `${blocks.join("\n\n")}\n`;
}

function htmlBody(content: MailContent): string {
  const parts = [content.greeting, ...content.paragraphs].map((line) => `<p>${escapeHtml(line)}</p>`);
  if (content.code !== undefined) {
    parts.push(
      `<p style="font-size:24px;font-weight:bold;letter-spacing:4px;font-family:monospace">${escapeHtml(content.code)}</p>`,
    );
  }
  if (content.link !== undefined) {
    parts.push(`<p><a href="${escapeHtml(content.link.href)}">${escapeHtml(content.link.label)}</a></p>`);
  }
  if (content.closing !== undefined) parts.push(`<p style="color:#666">${escapeHtml(content.closing)}</p>`);
  return `<!doctype html><html><body style="font-family:sans-serif;line-height:1.5">${parts.join("")}</body></html>`;
}

/**
 * Renders `mail` as subject, plain text and HTML. `product` names the service in subjects.
 * A part `overrides` (MAIL_TEMPLATES_DIR) has for this template replaces the built-in one.
 */
export function renderMail(mail: OutgoingMail, product: string, overrides?: MailTemplateOverrides): RenderedMail {
  const content = contentOf(mail, product);
  return {
    to: mail.to,
    subject: overrides?.render(mail, product, "subject") ?? content.subject,
    text: overrides?.render(mail, product, "text") ?? textBody(content),
    html: overrides?.render(mail, product, "html") ?? htmlBody(content),
  };
}
