import { expect } from "vitest";
import type { TestServer } from "./support/test-server.js";

const FORM = { "content-type": "application/x-www-form-urlencoded" };

/** A console page as opened: its status and HTML, and the form token and cookie it handed out. */
export interface OpenedPage {
  readonly status: number;
  readonly body: string;
  readonly token: string;
  readonly csrf: string;
}

/** A form post's answer: a page (refusal) or a redirect (success). */
export interface PostedForm {
  readonly statusCode: number;
  readonly body: string;
  readonly headers: { readonly location?: string | undefined };
}

export interface ConsoleClient {
  open(url: string): Promise<OpenedPage>;
  post(url: string, fields: Record<string, string>, options?: { from?: string; csrf?: boolean }): Promise<PostedForm>;
}

/**
 * The console as a browser without JavaScript drives it, over inject: the page session's cookie
 * (the refresh secret), the CSRF token of a page it opened first, then the form post.
 */
export function consoleAs(t: TestServer, sessionSecret: string): ConsoleClient {
  async function open(url: string): Promise<OpenedPage> {
    const page = await t.app.inject({ method: "GET", url, cookies: { gh_session: sessionSecret } });
    const token = /name="_csrf" value="([^"]+)"/.exec(page.body)?.[1] ?? "";
    const csrf = page.cookies.find((cookie) => cookie.name === "gh_csrf")?.value ?? "";
    return { status: page.statusCode, body: page.body, token, csrf };
  }
  /** Posts `fields` from the page at `from` (default `/admin`), with its token unless `csrf: false`. */
  async function post(
    url: string,
    fields: Record<string, string>,
    options: { from?: string; csrf?: boolean } = {},
  ): Promise<PostedForm> {
    const page = await open(options.from ?? "/admin");
    expect(page.status, page.body).toBe(200);
    const token: Record<string, string> = options.csrf === false ? {} : { _csrf: page.token };
    const response = await t.app.inject({
      method: "POST",
      url,
      cookies: { gh_session: sessionSecret, gh_csrf: page.csrf },
      headers: FORM,
      payload: new URLSearchParams({ ...token, ...fields }).toString(),
    });
    const location = response.headers.location;
    return {
      statusCode: response.statusCode,
      body: response.body,
      headers: { location: typeof location === "string" ? location : undefined },
    };
  }
  return { open, post };
}
