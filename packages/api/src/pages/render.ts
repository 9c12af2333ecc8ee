import type { FieldIssue } from "@gatehouse/domain";
import { ERROR_TABLE, type ErrorCode, isDomainError } from "@gatehouse/domain";
import type { FastifyReply, FastifyRequest } from "fastify";
import type { PagesOptions } from "../app-deps.js";
import { isUnavailable } from "../http/error-handler.js";
import { errorText, type NoticeKey, type PageMessages } from "./messages.js";
import { nonceOf } from "./page-security.js";

/** One line of a page's error summary; `field` links it to the input it is about. */
export interface PageError {
  readonly field?: string;
  readonly text: string;
}

/** What a template gets beyond the layout's own data. */
export interface PageView {
  readonly title: string;
  readonly errors?: readonly PageError[];
  readonly notice?: NoticeKey;
  /** What the user typed, shown again after a refusal (never a password). */
  readonly values?: Readonly<Record<string, string>>;
  readonly [key: string]: unknown;
}

/** Everything a page needs to render besides its own view. */
export interface PageRenderer {
  readonly brand: PagesOptions;
  readonly messages: PageMessages;
  /** PASSKEY_LOGIN: /login offers the passwordless passkey button (wherever it is shown). */
  readonly passkeyLogin?: boolean;
}

/** How a provider's name (OAUTH_PROVIDERS) reads on a button: "Sign in with GitHub", "Link Acme". */
export function providerLabel(name: string): string {
  return name === "github" ? "GitHub" : name.charAt(0).toUpperCase() + name.slice(1);
}

/** Renders `page` inside the layout, with this response's CSP nonce and a fresh CSRF token. */
export async function renderPage(
  renderer: PageRenderer,
  request: FastifyRequest,
  reply: FastifyReply,
  page: string,
  view: PageView,
  status = 200,
  withForm = true,
): Promise<FastifyReply> {
  const { messages } = renderer;
  const html = await reply.viewAsync(`${page}.eta`, {
    ...view,
    errors: view.errors ?? [],
    values: view.values ?? {},
    notice: view.notice === undefined ? undefined : messages.notices[view.notice],
    brand: renderer.brand,
    passkeyLogin: renderer.passkeyLogin === true,
    providerLabel,
    summaryTitle: messages.summaryTitle,
    nonce: nonceOf(request),
    // The error page has no form, and may answer before the cookie plugin parsed any cookie.
    csrfToken: withForm ? reply.generateCsrf() : "",
  });
  return reply.code(status).type("text/html; charset=utf-8").send(html);
}

/** The input a field issue is about, under the name the page's form gives it. */
function issueField(issue: FieldIssue): string {
  return issue.field.replace(/[^a-z_]/g, "");
}

function fieldIssuesOf(details: unknown): readonly FieldIssue[] {
  return Array.isArray(details) ? (details as FieldIssue[]).filter((issue) => typeof issue?.field === "string") : [];
}

/**
 * An expected refusal as the page shows it: its status, the catalogue's text for its code and,
 * for invalid input, one line per field. Anything else is rethrown to the pages' error handler.
 */
export function refusalOf(error: unknown, messages: PageMessages): { status: number; errors: PageError[] } {
  if (!isDomainError(error)) throw error;
  const issues = error.code === "VALIDATION_ERROR" ? fieldIssuesOf(error.details) : [];
  const errors: PageError[] =
    issues.length > 0
      ? issues.map((issue) => ({
          field: issueField(issue),
          text: `${messages.fields[issue.field] ?? issue.field} ${issue.message}`,
        }))
      : [{ text: errorText(messages, error.code) }];
  return { status: ERROR_TABLE[error.code].status, errors };
}

/** A refusal to pages.js's fetch (a passkey's options): its status and the text to show. */
export function jsonRefusal(reply: FastifyReply, refusal: { status: number; errors: PageError[] }): FastifyReply {
  const text = refusal.errors.map((error) => error.text).join(" ");
  return reply.code(refusal.status).type("application/json; charset=utf-8").send({ error: { text } });
}

/**
 * The code an error that no page handled answers with: its own for an expected refusal
 * (rate limit, CSRF), 503 for an unreachable dependency, else 500 (logged in full; the page
 * shows only the catalogue's text).
 */
export function unhandledCode(error: unknown, request: FastifyRequest): ErrorCode {
  if (isDomainError(error)) return error.code;
  const code = (error as { code?: unknown }).code;
  if (typeof code === "string" && code.startsWith("FST_CSRF")) return "CSRF_REJECTED";
  const status = (error as { statusCode?: unknown }).statusCode;
  if (status === 413) return "PAYLOAD_TOO_LARGE";
  if (status === 415) return "UNSUPPORTED_MEDIA_TYPE";
  if (status === 400) return "VALIDATION_ERROR";
  if (isUnavailable(error)) {
    request.log.error({ err: error }, "dependency unavailable");
    return "SERVICE_UNAVAILABLE";
  }
  request.log.error({ err: error }, "unhandled error");
  return "INTERNAL_ERROR";
}
