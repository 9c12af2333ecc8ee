// Over 300 lines on purpose: every case here builds the same adapter-free app from the fakes below,
// and splitting the file by concern would repeat them.
import { connect } from "node:net";
import type { CheckRateLimit, HealthReport, RateLimitRequest } from "@gatehouse/application";
import { type AccessTokenClaims, DomainError } from "@gatehouse/domain";
import type { FastifyBaseLogger } from "fastify";
import { describe, expect, it } from "vitest";
import type { ApiUseCases, AppOptions } from "./app-deps.js";
import { buildApp } from "./build-app.js";
import { silentLogger } from "./http/silent-logger.js";

const claims: AccessTokenClaims = { sub: "u-1", sid: "s-1", roles: [], permissions: [], jti: "j", iat: 0, exp: 0 };

function unexpected(): never {
  throw new Error("not used by this test");
}

/** Per group, the use cases a test replaces. */
type Overrides = { readonly [G in keyof ApiUseCases]?: Partial<ApiUseCases[G]> };

/** Use cases that fail on demand: the API layer is tested without any adapter. */
function fakeUseCases(overrides: Overrides = {}): ApiUseCases {
  const healthy: HealthReport = { status: "ready", checks: { database: { status: "healthy", latency_ms: 1 } } };
  const allowAll: CheckRateLimit = async () => ({
    decision: { allowed: true, limit: 1000, remaining: 999, resetAt: 1_700_000_060, retryAfterSeconds: 0 },
    rule: { limit: 1000, windowSeconds: 60 },
  });
  return {
    auth: {
      logIn: unexpected,
      refreshSession: unexpected,
      logOut: unexpected,
      authenticate: async (token) => {
        if (token !== "good") throw new DomainError("INVALID_TOKEN", "Access token is invalid");
        return claims;
      },
      authorize: unexpected,
      ...overrides.auth,
    },
    registration: {
      registerUser: unexpected,
      verifyEmail: unexpected,
      resendVerification: unexpected,
      ...overrides.registration,
    },
    recovery: { requestPasswordReset: unexpected, resetPassword: unexpected, ...overrides.recovery },
    account: {
      getCurrentUser: unexpected,
      updateProfile: unexpected,
      confirmEmailChange: unexpected,
      changePassword: unexpected,
      deactivateAccount: unexpected,
      reactivateAccount: unexpected,
      deleteAccount: unexpected,
      listSessions: unexpected,
      revokeSession: unexpected,
      listDevices: unexpected,
      revokeDevice: unexpected,
      ...overrides.account,
    },
    admin: {
      listUsers: unexpected,
      getUserStatistics: unexpected,
      getDailyActivity: unexpected,
      getUser: unexpected,
      createUser: unexpected,
      updateUser: unexpected,
      deleteUser: unexpected,
      restoreUser: unexpected,
      deleteUserPermanently: unexpected,
      approveUser: unexpected,
      suspendUser: unexpected,
      reactivateUser: unexpected,
      resetUserMfa: unexpected,
      revokeUserSessions: unexpected,
      listAuditLogs: unexpected,
      importUsers: unexpected,
      ...overrides.admin,
    },
    rbac: {
      listRoles: unexpected,
      createRole: unexpected,
      updateRole: unexpected,
      deleteRole: unexpected,
      grantRolePermissions: unexpected,
      revokeRolePermission: unexpected,
      listPermissions: unexpected,
      createPermission: unexpected,
      assignUserRoles: unexpected,
      unassignUserRole: unexpected,
      ...overrides.rbac,
    },
    health: { checkHealth: async () => healthy, ...overrides.health },
    rateLimit: { checkRateLimit: allowAll, ...overrides.rateLimit },
  };
}

async function appWith(overrides: Overrides = {}, trustProxy: AppOptions["trustProxy"] = false) {
  return buildApp({
    useCases: fakeUseCases(overrides),
    logger: silentLogger,
    version: "1.2.3",
    bodyLimitBytes: 65_536,
    corsAllowedOrigins: [],
    isShuttingDown: () => false,
    trustProxy,
  });
}

describe("buildApp error handling", () => {
  it("maps a DomainError to its status, code, message and details", async () => {
    const app = await appWith({
      auth: {
        logIn: async () => {
          throw new DomainError("ACCOUNT_SUSPENDED", "Account is suspended", { reason: "abuse" });
        },
      },
    });
    const response = await app.inject({
      method: "POST",
      url: "/api/v1/auth/login",
      payload: { email: "a@example.com", password: "Whatever-1" },
    });
    expect(response.statusCode).toBe(403);
    expect(response.json()).toEqual({
      success: false,
      error: {
        code: "ACCOUNT_SUSPENDED",
        message: "Account is suspended",
        details: { reason: "abuse" },
        request_id: response.headers["x-request-id"],
      },
    });
  });

  it("hides an unexpected error's message behind INTERNAL_ERROR", async () => {
    const app = await appWith({
      auth: {
        logIn: async () => {
          throw new Error("relation users does not exist at db.ts:42");
        },
      },
    });
    const response = await app.inject({
      method: "POST",
      url: "/api/v1/auth/login",
      payload: { email: "a@example.com", password: "Whatever-1" },
    });
    expect(response.statusCode).toBe(500);
    expect(response.json().error).toMatchObject({ code: "INTERNAL_ERROR", message: "Internal server error" });
    expect(response.body).not.toContain("relation");
  });

  it("answers 503 SERVICE_UNAVAILABLE when a dependency refuses connections", async () => {
    const app = await appWith({
      auth: {
        logIn: async () => {
          throw Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:5432"), { code: "ECONNREFUSED" });
        },
      },
    });
    const response = await app.inject({
      method: "POST",
      url: "/api/v1/auth/login",
      payload: { email: "a@example.com", password: "Whatever-1" },
    });
    expect(response.statusCode).toBe(503);
    expect(response.json().error.code).toBe("SERVICE_UNAVAILABLE");
    expect(response.body).not.toContain("5432");
  });

  it("runs the auth hook only on routes that declare auth, before the handler", async () => {
    let called = false;
    const app = await appWith({
      account: {
        getCurrentUser: async () => {
          called = true;
          return unexpected();
        },
      },
    });
    const response = await app.inject({
      method: "GET",
      url: "/api/v1/auth/me",
      headers: { authorization: "Bearer bad" },
    });
    expect(response.statusCode).toBe(401);
    expect(response.json().error.code).toBe("INVALID_TOKEN");
    expect(called).toBe(false);
    expect((await app.inject({ method: "GET", url: "/health/live" })).statusCode).toBe(200);
  });

  it("runs the permission hook after auth on routes that declare a permission, before the handler", async () => {
    const checked: string[] = [];
    const app = await appWith({
      auth: {
        authorize: async (_claims, required) => {
          checked.push(required);
          if (required !== "users:read") {
            throw new DomainError("INSUFFICIENT_PERMISSIONS", "Missing permission", { required_permission: required });
          }
          return { roles: ["admin"], permissions: ["users:read"] };
        },
      },
    });
    let handled = 0;
    for (const permission of ["users:read", "users:delete"]) {
      app.get(`/test/${permission.replace(":", "-")}`, { config: { permission } }, async () => {
        handled += 1;
        return { ok: true };
      });
    }

    const anonymous = await app.inject({ method: "GET", url: "/test/users-read" });
    expect(anonymous.statusCode).toBe(401);
    expect(checked).toEqual([]);

    const allowed = await app.inject({
      method: "GET",
      url: "/test/users-read",
      headers: { authorization: "Bearer good" },
    });
    expect(allowed.statusCode).toBe(200);

    const denied = await app.inject({
      method: "GET",
      url: "/test/users-delete",
      headers: { authorization: "Bearer good" },
    });
    expect(denied.statusCode).toBe(403);
    expect(denied.json().error).toMatchObject({
      code: "INSUFFICIENT_PERMISSIONS",
      details: { required_permission: "users:delete" },
    });
    expect(checked).toEqual(["users:read", "users:delete"]);
    expect(handled).toBe(1);
  });

  it("answers readiness from the health use case: degraded is 200, not_ready is 503", async () => {
    const degraded = await appWith({ health: { checkHealth: async () => ({ status: "degraded", checks: {} }) } });
    expect((await degraded.inject({ method: "GET", url: "/health/ready" })).statusCode).toBe(200);
    const down = await appWith({ health: { checkHealth: async () => ({ status: "not_ready", checks: {} }) } });
    expect((await down.inject({ method: "GET", url: "/health/ready" })).statusCode).toBe(503);
  });
});

describe("access log", () => {
  it("logs one line per request with the path but never the query string", async () => {
    const lines: unknown[] = [];
    const recorder: FastifyBaseLogger = {
      ...silentLogger,
      info: (object: unknown) => {
        lines.push(object);
      },
      child: () => recorder,
    };
    const app = await buildApp({
      useCases: fakeUseCases(),
      logger: recorder,
      version: "1.2.3",
      bodyLimitBytes: 65_536,
      corsAllowedOrigins: [],
      isShuttingDown: () => false,
      trustProxy: false,
    });
    await app.inject({ method: "GET", url: "/health/live?token=secret-link-token" });
    const serialized = JSON.stringify(lines);
    expect(serialized).toContain('"url":"/health/live"');
    expect(serialized).toContain('"status":200');
    expect(serialized).not.toContain("secret-link-token");
  });
});

describe("unparsable HTTP", () => {
  it("answers a request Node cannot parse with a 400 in the envelope, then closes", async () => {
    const app = await appWith();
    await app.listen({ host: "127.0.0.1", port: 0 });
    const address = app.server.address();
    const port = typeof address === "object" && address ? address.port : 0;
    const raw = await new Promise<string>((resolve, reject) => {
      let received = "";
      const socket = connect(port, "127.0.0.1", () => socket.write("NOT HTTP AT ALL\r\n\r\n"));
      socket.on("data", (chunk) => {
        received += chunk.toString();
      });
      socket.on("end", () => resolve(received));
      socket.on("error", reject);
    });
    await app.close();
    expect(raw).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
    const body = JSON.parse(raw.slice(raw.indexOf("\r\n\r\n") + 4));
    expect(body).toMatchObject({
      success: false,
      error: { code: "VALIDATION_ERROR", message: "Malformed HTTP request" },
    });
  });
});

describe("rate limiting", () => {
  /** A checkRateLimit that records what it was asked and refuses after `limit` calls. */
  function countingLimiter(limit = 2) {
    const seen: RateLimitRequest[] = [];
    const checkRateLimit: CheckRateLimit = async (request) => {
      seen.push(request);
      const allowed = seen.length <= limit;
      return {
        decision: {
          allowed,
          limit,
          remaining: Math.max(0, limit - seen.length),
          resetAt: 1_700_000_045,
          retryAfterSeconds: allowed ? 0 : 45,
        },
        rule: { limit, windowSeconds: 60 },
      };
    };
    return { seen, checkRateLimit };
  }

  it("sends X-RateLimit-* on every limited response and the documented 429 with Retry-After once spent", async () => {
    const { checkRateLimit } = countingLimiter(1);
    const app = await appWith({ rateLimit: { checkRateLimit }, account: { getCurrentUser: async () => unexpected() } });
    const first = await app.inject({
      method: "GET",
      url: "/api/v1/auth/me",
      headers: { authorization: "Bearer good" },
    });
    expect(first.headers).toMatchObject({
      "x-ratelimit-limit": "1",
      "x-ratelimit-remaining": "0",
      "x-ratelimit-reset": "1700000045",
    });
    expect(first.headers["retry-after"]).toBeUndefined();

    const refused = await app.inject({
      method: "GET",
      url: "/api/v1/auth/me",
      headers: { authorization: "Bearer good" },
    });
    expect(refused.statusCode).toBe(429);
    expect(refused.headers).toMatchObject({
      "retry-after": "45",
      "x-ratelimit-limit": "1",
      "x-ratelimit-remaining": "0",
      "x-ratelimit-reset": "1700000045",
    });
    expect(refused.json()).toEqual({
      success: false,
      error: {
        code: "RATE_LIMIT_EXCEEDED",
        message: "Too many requests. Please try again later.",
        details: { retry_after: 45, limit: 1, window: "1 minute" },
        request_id: refused.headers["x-request-id"],
      },
    });
  });

  it("refuses before the permission check, so a limited caller costs no database read", async () => {
    const { checkRateLimit } = countingLimiter(0);
    let authorized = 0;
    const app = await appWith({
      rateLimit: { checkRateLimit },
      auth: {
        authorize: async () => {
          authorized += 1;
          return unexpected();
        },
      },
    });
    app.get("/api/v1/admin/things", { config: { permission: "users:read" } }, async () => ({ ok: true }));
    const response = await app.inject({
      method: "GET",
      url: "/api/v1/admin/things",
      headers: { authorization: "Bearer good" },
    });
    expect(response.statusCode).toBe(429);
    expect(authorized).toBe(0);
  });

  it("takes each route's category from its declaration or its path; probes and docs are not limited", async () => {
    const { seen, checkRateLimit } = countingLimiter(100);
    const app = await appWith({
      rateLimit: { checkRateLimit },
      auth: {
        logIn: async () => {
          throw new DomainError("INVALID_CREDENTIALS", "Invalid email or password");
        },
        refreshSession: async () => {
          throw new DomainError("REFRESH_TOKEN_INVALID", "Refresh token is invalid");
        },
        authorize: async () => ({ userId: "u-1", roles: [], permissions: ["users:read"] }) as never,
      },
    });
    app.get("/api/v1/admin/things", { config: { permission: "users:read" } }, async () => ({ ok: true }));
    app.get("/api/v1/public-thing", async () => ({ ok: true }));
    const login = { email: "a@example.com", password: "whatever-123" };
    await app.inject({ method: "POST", url: "/api/v1/auth/login", payload: login });
    await app.inject({ method: "POST", url: "/api/v1/auth/refresh", payload: { refresh_token: "x" } });
    await app.inject({ method: "GET", url: "/api/v1/admin/things", headers: { authorization: "Bearer good" } });
    await app.inject({ method: "GET", url: "/api/v1/public-thing" });
    await app.inject({ method: "GET", url: "/api/v1/no-such-route" });
    for (const url of ["/health/live", "/health/ready", "/api/v1/health", "/openapi.json", "/swagger-ui", "/nowhere"]) {
      const response = await app.inject({ method: "GET", url });
      expect(response.headers["x-ratelimit-limit"], url).toBeUndefined();
    }
    expect(seen.map(({ route, userId }) => [route, userId])).toEqual([
      ["auth", null],
      ["refresh", null],
      ["admin", "u-1"],
      ["api", null],
      ["api", null],
    ]);
  });

  it("ignores X-Forwarded-For with TRUST_PROXY off", async () => {
    const { seen, checkRateLimit } = countingLimiter(100);
    const app = await appWith({ rateLimit: { checkRateLimit }, auth: { refreshSession: async () => unexpected() } });
    await app.inject({
      method: "POST",
      url: "/api/v1/auth/refresh",
      payload: { refresh_token: "x" },
      remoteAddress: "198.51.100.20",
      headers: { "x-forwarded-for": "203.0.113.99" },
    });
    expect(seen[0]?.clientIp).toBe("198.51.100.20");
  });

  it("with a trusted proxy, counts the address that proxy added, not what the client wrote before it", async () => {
    for (const trustProxy of [1, ["10.0.0.0/8"]] as const) {
      const { seen, checkRateLimit } = countingLimiter(100);
      const app = await appWith(
        { rateLimit: { checkRateLimit }, auth: { refreshSession: async () => unexpected() } },
        trustProxy,
      );
      await app.inject({
        method: "POST",
        url: "/api/v1/auth/refresh",
        payload: { refresh_token: "x" },
        remoteAddress: "10.1.2.3",
        headers: { "x-forwarded-for": "203.0.113.99, 198.51.100.7" },
      });
      expect(seen[0]?.clientIp, String(trustProxy)).toBe("198.51.100.7");
    }
  });
});

describe("self-service routes", () => {
  it("serves check-email only when the use case is given (ENUMERATION_PROTECTION off)", async () => {
    const off = await appWith();
    const hidden = await off.inject({
      method: "POST",
      url: "/api/v1/register/check-email",
      payload: { email: "a@b.co" },
    });
    expect(hidden.statusCode).toBe(404);
    expect(hidden.json()).toMatchObject({ success: false, error: { code: "NOT_FOUND" } });
    const on = await appWith({ registration: { checkEmail: async () => true } });
    const shown = await on.inject({
      method: "POST",
      url: "/api/v1/register/check-email",
      payload: { email: "a@b.co" },
    });
    expect(shown.json()).toEqual({ success: true, data: { available: true } });
  });

  it("answers a limited resend 429 with retry_after in the details and the Retry-After header", async () => {
    const app = await appWith({
      registration: {
        resendVerification: async () => {
          throw new DomainError("RATE_LIMIT_EXCEEDED", "Too many", { retry_after: 42, limit: 5, window: "1 day" });
        },
      },
    });
    const response = await app.inject({ method: "POST", url: "/api/v1/register/resend", payload: { email: "a@b.co" } });
    expect(response.statusCode).toBe(429);
    expect(response.headers["retry-after"]).toBe("42");
    expect(response.json()).toMatchObject({ error: { code: "RATE_LIMIT_EXCEEDED", details: { retry_after: 42 } } });
  });

  it("accepts either { email, code } or { token } at verify, and nothing mixed or extra", async () => {
    const seen: unknown[] = [];
    const app = await appWith({
      registration: {
        verifyEmail: async (input) => {
          seen.push(input);
          return { id: "00000000-0000-4000-8000-000000000001", email: "a@b.co", status: "active" } as never;
        },
      },
    });
    const post = (payload: Record<string, unknown>) =>
      app.inject({ method: "POST", url: "/api/v1/register/verify", payload });
    expect((await post({ email: "a@b.co", code: "123456" })).statusCode).toBe(200);
    expect((await post({ token: "t" })).statusCode).toBe(200);
    expect((await post({ token: "t", code: "123456" })).statusCode).toBe(400);
    expect((await post({ email: "a@b.co" })).statusCode).toBe(400);
    expect(seen).toEqual([{ email: "a@b.co", code: "123456" }, { token: "t" }]);
  });

  it("answers forgot-password 202 with one fixed body", async () => {
    const app = await appWith({ recovery: { requestPasswordReset: async () => {} } });
    const response = await app.inject({
      method: "POST",
      url: "/api/v1/auth/forgot-password",
      payload: { email: "a@b.co" },
    });
    expect(response.statusCode).toBe(202);
    expect(response.json()).toEqual({
      success: true,
      message: "If an account exists for this address, a password reset email has been sent",
    });
  });

  it("refuses unknown fields at PUT /users/me", async () => {
    const app = await appWith({ auth: { authorize: async () => ({}) as never } });
    const response = await app.inject({
      method: "PUT",
      url: "/api/v1/users/me",
      headers: { authorization: "Bearer good" },
      payload: { full_name: "Ada", is_admin: true },
    });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({
      error: { code: "VALIDATION_ERROR", details: [{ field: "is_admin", message: "is not allowed" }] },
    });
  });
});
