import type { PageSession } from "@gatehouse/application";
import type { FastifyReply, FastifyRequest } from "fastify";
import type { NoticeKey } from "./messages.js";
import type { PageError } from "./render.js";

/** The account pages count like the API's own account routes: per signed-in user, else per address. */
export const accountRoute = { schema: { hide: true }, config: { rateLimit: "api", pageSession: true } } as const;

/** How the account page is shown after a form: its notice or its refusal, and which form refused. */
export interface AccountOutcome {
  readonly notice?: NoticeKey;
  readonly errors?: PageError[];
  readonly status?: number;
  /** The email-change code form stays open: a code was just sent, or the code was refused. */
  readonly codeStep?: boolean;
  /** What the refused form held, shown again (never a password). */
  readonly values?: Readonly<Record<string, string>>;
}

/** The signed-in session, or undefined after sending the browser to `/login` (with `notice`, when given). */
export type SignedIn = (
  request: FastifyRequest,
  reply: FastifyReply,
  notice?: NoticeKey,
) => Promise<PageSession | undefined>;

/** Runs a form's use case and answers: the account page with its notice, or `/login` when it ended the account. */
export type AccountAction = (
  request: FastifyRequest,
  reply: FastifyReply,
  notice: NoticeKey,
  work: (session: PageSession) => Promise<unknown>,
  options?: {
    readonly signsOut?: boolean;
    readonly refusal?: Omit<AccountOutcome, "errors" | "status">;
    /** Answers instead of the notice's redirect (the hand-off to a provider to link). */
    readonly answer?: () => Promise<FastifyReply>;
  },
) => Promise<FastifyReply>;
