// Over 300 lines on purpose: every case drives the same fake-backed pages app built below, and
// splitting the file would mean a second copy of that app or shipping it in the build.
import type { CheckRateLimit, LogIn, PageSession, RateLimitRequest } from "@gatehouse/application";
import { DomainError } from "@gatehouse/domain";
import type { FastifyBaseLogger } from "fastify";
import { describe, expect, it } from "vitest";
import type { ApiUseCases, AppOptions, MfaUseCases } from "../app-deps.js";
import { buildApp } from "../build-app.js";
import { silentLogger } from "../http/silent-logger.js";

const ORIGIN = "http://gatehouse.test";

function unexpected(): never {
  throw new Error("not used by this test");
}

/** A use-case group whose every member fails: each test replaces only what it calls. */
function failing<T extends object>(overrides: Partial<T> = {}): T {
  return new Proxy(overrides, {
    get: (target, key) => (target as Record<PropertyKey, unknown>)[key] ?? unexpected,
  }) as T;
}

const allowAll: CheckRateLimit = async () => ({
  decision: { allowed: true, limit: 1000, remaining: 999, resetAt: 1_700_000_060, retryAfterSeconds: 0 },
  rule: { limit: 1000, windowSeconds: 60 },
});

function recordingLogger(lines: Array<Record<string, unknown>>): FastifyBaseLogger {
  const logger: FastifyBaseLogger = {
    ...silentLogger,
    info: (line: Record<string, unknown>) => lines.push(line),
    child: () => logger,
  };
  return logger;
}

interface Fakes {
  readonly logIn?: LogIn;
  readonly session?: PageSession;
  readonly getCurrentUser?: ApiUseCases["account"]["getCurrentUser"];
  readonly checkRateLimit?: CheckRateLimit;
  readonly mfa?: Partial<MfaUseCases>;
  /** Every secret the pages looked up, in order. */
  readonly lookups?: string[];
  /** Receives the access-log lines. */
  readonly accessLines?: Array<Record<string, unknown>>;
}

async function pagesApp(fakes: Fakes = {}, publicBaseUrl = ORIGIN) {
  const useCases = {
    auth: failing<ApiUseCases["auth"]>(fakes.logIn ? { logIn: fakes.logIn } : {}),
    registration: failing<ApiUseCases["registration"]>(),
    recovery: failing<ApiUseCases["recovery"]>(),
    account: failing<ApiUseCases["account"]>({
      ...(fakes.getCurrentUser ? { getCurrentUser: fakes.getCurrentUser } : {}),
      listSessions: async () => [],
    }),
    admin: failing<ApiUseCases["admin"]>(),
    rbac: failing<ApiUseCases["rbac"]>(),
    health: failing<ApiUseCases["health"]>(),
    rateLimit: { checkRateLimit: fakes.checkRateLimit ?? allowAll },
    ...(fakes.mfa === undefined ? {} : { mfa: failing<MfaUseCases>(fakes.mfa) }),
    pages: {
      resolvePageSession: async (secret: string) => {
        fakes.lookups?.push(secret);
        return secret === "live" ? fakes.session : undefined;
      },
    },
  } satisfies ApiUseCases;
  const options: AppOptions = {
    useCases,
    logger: fakes.accessLines === undefined ? silentLogger : recordingLogger(fakes.accessLines),
    version: "1.2.3",
    bodyLimitBytes: 65_536,
    corsAllowedOrigins: [],
    isShuttingDown: () => false,
    trustProxy: false,
    pages: { productName: "Acme ID", color: "#1d4ed8", publicBaseUrl },
  };
  return buildApp(options);
}

type App = Awaited<ReturnType<typeof pagesApp>>;

/** The form's CSRF token and the cookie holding its secret, as a browser would keep them. */
async function formOf(app: App, url = "/login") {
  const page = await app.inject({ method: "GET", url });
  const token = /name="_csrf" value="([^"]+)"/.exec(page.body)?.[1];
  const cookie = String(page.headers["set-cookie"]).split(";")[0];
  if (token === undefined || cookie === undefined) throw new Error("no CSRF token on the page");
  return { token, cookie };
}

async function postLogin(app: App, fields: Record<string, string>, headers: Record<string, string> = {}) {
  const { token, cookie } = await formOf(app);
  return app.inject({
    method: "POST",
    url: "/login",
    headers: { "content-type": "application/x-www-form-urlencoded", cookie, origin: ORIGIN, ...headers },
    payload: new URLSearchParams({ _csrf: token, ...fields }).toString(),
  });
}

describe("hosted pages over inject", () => {
  it("renders with a fresh CSP nonce per response, no framing, and the nonce on the only script and style", async () => {
    const app = await pagesApp();
    const first = await app.inject({ method: "GET", url: "/login" });
    const second = await app.inject({ method: "GET", url: "/login" });
    expect(first.statusCode).toBe(200);
    expect(first.headers["content-type"]).toBe("text/html; charset=utf-8");
    const csp = String(first.headers["content-security-policy"]);
    const nonce = /'nonce-([^']+)'/.exec(csp)?.[1];
    expect(nonce).toMatch(/^[A-Za-z0-9+/]{22}==$/);
    expect(String(second.headers["content-security-policy"])).not.toContain(nonce);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("form-action 'self'");
    expect(csp).not.toContain("unsafe-inline");
    expect(first.headers["x-frame-options"]).toBe("DENY");
    expect(first.body.match(/<script /g)).toHaveLength(1);
    expect(first.body).toContain(`<script type="module" src="/pages/assets/pages.js" nonce="${nonce}">`);
    expect(first.body).toContain(`<style nonce="${nonce}">`);
    expect(first.body).not.toMatch(/\son[a-z]+=/); // no inline handlers
    expect(first.body).toContain("Acme ID");
    expect(String(first.headers["set-cookie"])).toMatch(/^gh_csrf=[^;]+; Path=\/; HttpOnly; SameSite=Lax$/);
  });

  it("refuses a post without the CSRF token, and one from another origin, before any use case runs", async () => {
    let calls = 0;
    const app = await pagesApp({
      logIn: async () => {
        calls += 1;
        return unexpected();
      },
    });
    const { cookie } = await formOf(app);
    const noToken = await app.inject({
      method: "POST",
      url: "/login",
      headers: { "content-type": "application/x-www-form-urlencoded", cookie, origin: ORIGIN },
      payload: "email=a%40example.com&password=x",
    });
    expect(noToken.statusCode).toBe(403);
    expect(noToken.headers["content-type"]).toBe("text/html; charset=utf-8");
    expect(noToken.body).toContain('role="alert"');
    expect(noToken.body).toContain("was not sent from this site");
    const foreign = await postLogin(app, { email: "a@example.com", password: "x" }, { origin: "https://evil.test" });
    expect(foreign.statusCode).toBe(403);
    const crossSite = await postLogin(
      app,
      { email: "a@example.com", password: "x" },
      { "sec-fetch-site": "cross-site" },
    );
    expect(crossSite.statusCode).toBe(403);
    expect(calls).toBe(0);
  });

  it("shows a refusal in the error summary with the catalogue's text, keeping the typed email escaped", async () => {
    const app = await pagesApp({
      logIn: async () => {
        throw new DomainError("INVALID_CREDENTIALS", "Invalid email or password");
      },
    });
    const response = await postLogin(app, { email: '"><script>alert(1)</script>', password: "wrong" });
    expect(response.statusCode).toBe(401);
    expect(response.body).toContain('<div class="error-summary" role="alert" tabindex="-1" autofocus');
    expect(response.body).toContain("The email address or password is not right.");
    expect(response.body).not.toContain("<script>alert(1)</script>");
    expect(response.body).toContain("&quot;&gt;&lt;script&gt;");
  });

  it("signs in: the session cookie is HttpOnly, SameSite=Lax, Path=/, and __Host- with Secure over HTTPS", async () => {
    const logIn = (async () => ({
      tokens: { refreshToken: "secret-1", refreshExpiresIn: 600 },
      user: {},
      roles: [],
    })) as unknown as LogIn;
    const plain = await postLogin(await pagesApp({ logIn }), { email: "a@example.com", password: "pw" });
    expect(plain.statusCode).toBe(303);
    expect(plain.headers.location).toBe("/account");
    expect(plain.headers["set-cookie"]).toContain("gh_session=secret-1; Max-Age=600; Path=/; HttpOnly; SameSite=Lax");
    const https = await pagesApp({ logIn }, "https://gatehouse.test");
    const { token, cookie } = await formOf(https);
    const secure = await https.inject({
      method: "POST",
      url: "/login",
      headers: { "content-type": "application/x-www-form-urlencoded", cookie, origin: "https://gatehouse.test" },
      payload: new URLSearchParams({ _csrf: token, email: "a@example.com", password: "pw" }).toString(),
    });
    expect(secure.statusCode).toBe(303);
    expect(String(secure.headers["set-cookie"])).toContain(
      "__Host-gh_session=secret-1; Max-Age=600; Path=/; HttpOnly; Secure; SameSite=Lax",
    );
  });

  it("sends a request without a live session to /login, and hides an internal error's message", async () => {
    const app = await pagesApp({
      session: { userId: "u-1", sessionId: "s-1", acr: "aal1", authTime: new Date(0) },
      getCurrentUser: async () => {
        throw new Error("relation users does not exist at db.ts:42");
      },
    });
    const none = await app.inject({ method: "GET", url: "/account" });
    expect(none.statusCode).toBe(303);
    expect(none.headers.location).toBe("/login");
    const ended = await app.inject({ method: "GET", url: "/account", cookies: { gh_session: "ended" } });
    expect(ended.statusCode).toBe(303);
    const broken = await app.inject({ method: "GET", url: "/account", cookies: { gh_session: "live" } });
    expect(broken.statusCode).toBe(500);
    expect(broken.body).toContain("Something went wrong on our side");
    expect(broken.body).not.toContain("relation users");
  });

  it("counts and logs a page with a live session cookie as its user's, looking the session up once per request", async () => {
    const counted: RateLimitRequest[] = [];
    const lookups: string[] = [];
    const accessLines: Array<Record<string, unknown>> = [];
    const app = await pagesApp({
      accessLines,
      session: { userId: "u-1", sessionId: "s-1", acr: "aal1", authTime: new Date(0) },
      lookups,
      logIn: async () => {
        throw new DomainError("INVALID_CREDENTIALS");
      },
      checkRateLimit: async (request) => {
        counted.push(request);
        return allowAll(request);
      },
      getCurrentUser: async () => {
        throw new DomainError("UNAUTHORIZED");
      },
    });
    const remoteAddress = "203.0.113.9";
    const live = await app.inject({ method: "GET", url: "/account", remoteAddress, cookies: { gh_session: "live" } });
    expect([live.statusCode, live.headers.location]).toEqual([303, "/login"]);
    const ended = await app.inject({ method: "GET", url: "/account", remoteAddress, cookies: { gh_session: "ended" } });
    const none = await app.inject({ method: "GET", url: "/account", remoteAddress });
    // The console spends the admin budget of its operator.
    await app.inject({ method: "GET", url: "/admin", remoteAddress, cookies: { gh_session: "live" } });
    // A sign-in form is counted per address whatever cookie comes with it, and never looks it up.
    await app.inject({ method: "GET", url: "/login", remoteAddress, cookies: { gh_session: "live" } });
    const form = await formOf(app);
    const signIn = await app.inject({
      method: "POST",
      url: "/login",
      remoteAddress,
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        cookie: `${form.cookie}; gh_session=live`,
        origin: ORIGIN,
      },
      payload: new URLSearchParams({ _csrf: form.token, email: "a@example.com", password: "pw" }).toString(),
    });
    expect(signIn.statusCode).toBe(401);
    expect([ended.statusCode, none.statusCode]).toEqual([303, 303]);
    expect(counted.map(({ route, userId }) => ({ route, userId }))).toEqual([
      { route: "api", userId: "u-1" },
      { route: "api", userId: null },
      { route: "api", userId: null },
      { route: "admin", userId: "u-1" },
      { route: "auth", userId: null },
    ]);
    expect(new Set(counted.map((request) => request.clientIp))).toEqual(new Set([remoteAddress]));
    expect(lookups).toEqual(["live", "ended", "live"]);
    // The access log names the same user the limiter counted (the form GET before the sign-in included).
    expect(accessLines.map((line) => [line.url, line.user_id])).toEqual([
      ["/account", "u-1"],
      ["/account", null],
      ["/account", null],
      ["/admin", "u-1"],
      ["/login", null],
      ["/login", null],
      ["/login", null],
    ]);
  });

  it("answers a rate-limited form with the 429 page and Retry-After", async () => {
    const app = await pagesApp({
      checkRateLimit: async () => ({
        decision: { allowed: false, limit: 5, remaining: 0, resetAt: 1_700_000_060, retryAfterSeconds: 42 },
        rule: { limit: 5, windowSeconds: 60 },
      }),
    });
    const response = await postLogin(app, { email: "a@example.com", password: "pw" });
    expect(response.statusCode).toBe(429);
    expect(response.headers["retry-after"]).toBe("42");
    expect(response.body).toContain("Too many attempts");
    expect(String(response.headers["content-security-policy"])).toContain("'nonce-");
  });

  it("refuses a posted passkey answer that is not one before the use case runs, so the sign-in step stays", async () => {
    const verified: unknown[] = [];
    const verifyMfaLogin: MfaUseCases["verifyMfaLogin"] = async (input) => {
      verified.push(input);
      throw new Error("not reached");
    };
    const app = await pagesApp({ mfa: { verifyMfaLogin } });
    const { token, cookie } = await formOf(app);
    const fields = { _csrf: token, mfa_token: "held", method: "webauthn" };
    for (const assertion of ["", "not json", JSON.stringify({ id: "x", type: "public-key" })]) {
      const response = await app.inject({
        method: "POST",
        url: "/mfa",
        headers: { "content-type": "application/x-www-form-urlencoded", cookie, origin: ORIGIN },
        payload: new URLSearchParams({ ...fields, assertion }).toString(),
      });
      expect(response.statusCode).toBe(400);
      expect(response.body).toContain("Passkey answer could not be read");
    }
    expect(verified).toEqual([]);
  });

  it("answers pages.js's passkey-options fetch with JSON: a refusal's catalogue text, never a page", async () => {
    const app = await pagesApp({
      mfa: {
        passkeySecondFactorOptions: async () => {
          throw new DomainError("MFA_TOKEN_INVALID");
        },
      },
    });
    const { token, cookie } = await formOf(app);
    const post = (url: string) =>
      app.inject({
        method: "POST",
        url,
        headers: { "content-type": "application/x-www-form-urlencoded", cookie, origin: ORIGIN },
        payload: new URLSearchParams({ _csrf: token, mfa_token: "gone" }).toString(),
      });
    const held = await post("/mfa/passkey-options");
    expect([held.statusCode, held.json()]).toEqual([
      401,
      { error: { text: "This sign-in step has expired or was used already. Sign in again." } },
    ]);
    // Adding a passkey without a live page session: the sign-in text, nothing started.
    const signedOut = await post("/account/security/passkey-options");
    expect([signedOut.statusCode, signedOut.json()]).toEqual([401, { error: { text: "Sign in to continue." } }]);
  });
});
