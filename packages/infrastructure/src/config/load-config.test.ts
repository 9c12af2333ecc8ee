import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError } from "./env-reader.js";
import { resolveJwtSecret } from "./jwt-secret.js";
import { loadConfig } from "./load-config.js";

const emptyDir = () => mkdtempSync(join(tmpdir(), "gh-config-"));

describe("loadConfig", () => {
  it("reads the chat settings: protocol defaults, query tokens off, messages kept; one-line errors", () => {
    const defaults = loadConfig({}, emptyDir()).chat;
    expect(defaults.allowQueryToken).toBe(false);
    expect(defaults.retentionDays).toBe(0);
    expect(defaults.presenceTtlSeconds).toBe(30);
    expect(defaults.limits).toMatchObject({ maxContentLength: 4000, authTimeoutMs: 5000, heartbeatMs: 30_000 });
    const set = loadConfig(
      {
        CHAT_ALLOW_QUERY_TOKEN: "true",
        CHAT_RETENTION_DAYS: "30",
        CHAT_SEND_RATE_LIMIT: "5",
        CHAT_PRESENCE_TTL_SECONDS: "3",
      },
      emptyDir(),
    ).chat;
    expect(set).toMatchObject({
      allowQueryToken: true,
      retentionDays: 30,
      presenceTtlSeconds: 3,
      limits: { sendRate: { limit: 5 } },
    });
    expect(() => loadConfig({ CHAT_MAX_MESSAGE_LENGTH: "0" }, emptyDir())).toThrow(
      'CHAT_MAX_MESSAGE_LENGTH must be an integer from 1 to 100000 (got "0")',
    );
    expect(() => loadConfig({ CHAT_ALLOW_QUERY_TOKEN: "maybe" }, emptyDir())).toThrow(/CHAT_ALLOW_QUERY_TOKEN/);
    expect(() => loadConfig({ CHAT_PRESENCE_TTL_SECONDS: "2" }, emptyDir())).toThrow(
      'CHAT_PRESENCE_TTL_SECONDS must be an integer from 3 to 3600 (got "2")',
    );
  });

  it("defaults to the embedded database on 0.0.0.0:8080 with the documented token lifetimes", () => {
    const cwd = emptyDir();
    const config = loadConfig({}, cwd);
    expect(config.host).toBe("0.0.0.0");
    expect(config.port).toBe(8080);
    expect(config.database).toEqual({ kind: "pglite", dataDir: join(cwd, ".data", "pglite") });
    expect(config.jwt.accessTokenTtlSeconds).toBe(900);
    expect(config.jwt.refreshTokenTtlSeconds).toBe(604_800);
    expect(config.refreshReuseGraceSeconds).toBe(10);
    expect(config.sessionMaxLifetimeSeconds).toBe(30 * 86_400);
    expect(config.deviceTokenTtlSeconds).toBe(90 * 86_400);
    expect(config.loginDelayMaxSeconds).toBe(30);
    expect(config.rateLimitRefusalsFlushSeconds).toBe(15);
    expect(config.bodyLimitBytes).toBe(65_536);
    expect(config.autoMigrate).toBe(true);
    expect(config.bootstrapAdmin).toBeUndefined();
  });

  it("reads the bootstrap admin only as an email and password pair, without echoing the password", () => {
    const config = loadConfig(
      { BOOTSTRAP_ADMIN_EMAIL: "root@example.com", BOOTSTRAP_ADMIN_PASSWORD: " Spaced-Pass9 " },
      emptyDir(),
    );
    expect(config.bootstrapAdmin).toEqual({ email: "root@example.com", password: " Spaced-Pass9 ", username: "admin" });
    expect(
      loadConfig(
        { BOOTSTRAP_ADMIN_EMAIL: "a@example.com", BOOTSTRAP_ADMIN_PASSWORD: "x", BOOTSTRAP_ADMIN_USERNAME: "root" },
        emptyDir(),
      ).bootstrapAdmin?.username,
    ).toBe("root");
    expect(() => loadConfig({ BOOTSTRAP_ADMIN_EMAIL: "a@example.com" }, emptyDir())).toThrow(
      "BOOTSTRAP_ADMIN_EMAIL and BOOTSTRAP_ADMIN_PASSWORD must be set together",
    );
    expect(() => loadConfig({ BOOTSTRAP_ADMIN_PASSWORD: "Secret-Pass9" }, emptyDir())).toThrow(/must be set together/);
  });

  it("reads the lifecycle settings: verification on, approval and enumeration protection off by default", () => {
    expect(loadConfig({ APP_PORT: "9000" }, emptyDir()).lifecycle).toEqual({
      requireEmailVerification: true,
      requireAdminApproval: false,
      verificationTtlHours: 24,
      passwordResetTtlMinutes: 15,
      resendCooldownSeconds: 60,
      resendMaxPerDay: 5,
      publicBaseUrl: "http://localhost:9000",
      enumerationProtection: false,
      mailRequestResponseFloorMs: 250,
      registerResponseFloorMs: 750,
    });
    const set = loadConfig(
      {
        REQUIRE_EMAIL_VERIFICATION: "false",
        REQUIRE_ADMIN_APPROVAL: "true",
        ENUMERATION_PROTECTION: "yes",
        PUBLIC_BASE_URL: "https://id.example.com/",
        VERIFICATION_TTL_HOURS: "48",
      },
      emptyDir(),
    ).lifecycle;
    expect(set).toMatchObject({
      requireEmailVerification: false,
      requireAdminApproval: true,
      enumerationProtection: true,
      publicBaseUrl: "https://id.example.com",
      verificationTtlHours: 48,
    });
    expect(() => loadConfig({ PUBLIC_BASE_URL: "ftp://x" }, emptyDir())).toThrow(ConfigError);
    expect(() => loadConfig({ PASSWORD_RESET_TTL_MINUTES: "0" }, emptyDir())).toThrow(/PASSWORD_RESET_TTL_MINUTES/);
  });

  it("uses PostgreSQL when DATABASE_URL is set", () => {
    const config = loadConfig({ DATABASE_URL: "postgres://u@h:5432/db", DATABASE_MAX_CONNECTIONS: "4" }, emptyDir());
    expect(config.database).toEqual({
      kind: "postgres",
      url: "postgres://u@h:5432/db",
      maxConnections: 4,
      queryTimeoutMs: 5000,
    });
  });

  it("goes through PgBouncer with DATABASE_POOLER (or port 6432), and then needs DATABASE_MIGRATION_URL", () => {
    const direct = "postgres://u@h:5432/db";
    const pooled = loadConfig(
      { DATABASE_URL: "postgres://u@h:7777/db", DATABASE_POOLER: "pgbouncer", DATABASE_MIGRATION_URL: direct },
      emptyDir(),
    );
    expect(pooled.database).toMatchObject({ kind: "postgres", pooler: "pgbouncer", directUrl: direct });
    const detected = loadConfig({ DATABASE_URL: "postgres://u@h:6432/db", DATABASE_MIGRATION_URL: direct }, emptyDir());
    expect(detected.database).toMatchObject({ pooler: "pgbouncer" });
    const forcedOff = { DATABASE_URL: "postgres://u@h:6432/db", DATABASE_POOLER: "none" };
    expect(loadConfig(forcedOff, emptyDir()).database).not.toHaveProperty("pooler");
    expect(() => loadConfig({ DATABASE_URL: "postgres://u@h:6432/db" }, emptyDir())).toThrow(
      /^DATABASE_MIGRATION_URL is required/,
    );
    expect(() => loadConfig({ DATABASE_URL: direct, DATABASE_POOLER: "pgpool" }, emptyDir())).toThrow(
      /DATABASE_POOLER/,
    );
    expect(() => loadConfig({ DATABASE_URL: direct, DATABASE_MIGRATION_URL: "mysql://x" }, emptyDir())).toThrow(
      /DATABASE_MIGRATION_URL/,
    );
  });

  it("uses no Redis by default, one server with REDIS_URL, a Cluster with REDIS_CLUSTER_NODES", () => {
    expect(loadConfig({}, emptyDir()).redis).toBeUndefined();
    expect(loadConfig({ REDIS_URL: "redis://cache:6379/0" }, emptyDir()).redis).toEqual({
      target: { kind: "single", url: "redis://cache:6379/0" },
      commandTimeoutMs: 200,
      keyPrefix: "gatehouse:",
    });
    const cluster = loadConfig(
      {
        REDIS_CLUSTER_NODES: "10.0.0.1:7000, redis://10.0.0.2:7001",
        REDIS_COMMAND_TIMEOUT_MS: "50",
        REDIS_KEY_PREFIX: "gh-eu:",
      },
      emptyDir(),
    ).redis;
    expect(cluster).toEqual({
      target: { kind: "cluster", nodeUrls: ["redis://10.0.0.1:7000", "redis://10.0.0.2:7001"] },
      commandTimeoutMs: 50,
      keyPrefix: "gh-eu:",
    });
  });

  it("takes the environment over .env over defaults", () => {
    const cwd = emptyDir();
    writeFileSync(join(cwd, ".env"), "APP_PORT=9000\nAPP_NAME=from-dotenv\n");
    const config = loadConfig({ APP_PORT: "9100" }, cwd);
    expect(config.port).toBe(9100);
    expect(config.appName).toBe("from-dotenv");
  });

  it.each([
    [{ APP_PORT: "http" }, /^APP_PORT must be an integer from 0 to 65535/],
    [{ DB_AUTO_MIGRATE: "maybe" }, /^DB_AUTO_MIGRATE must be true or false/],
    [{ DATABASE_URL: "mysql://x" }, /^DATABASE_URL must start with postgres:/],
    [{ LOG_LEVEL: "loud" }, /^LOG_LEVEL must be one of/],
    [{ JWT_CLOCK_TOLERANCE_SECONDS: "120" }, /^JWT_CLOCK_TOLERANCE_SECONDS must be an integer from 0 to 60/],
    [{ CORS_ALLOWED_ORIGINS: "not a url" }, /^CORS_ALLOWED_ORIGINS must be a URL/],
    [{ REDIS_URL: "http://cache" }, /^REDIS_URL must start with redis: or rediss:/],
    [{ REDIS_URL: "redis://a", REDIS_CLUSTER_NODES: "b:1" }, /^set either REDIS_URL or REDIS_CLUSTER_NODES/],
    [{ REDIS_CLUSTER_NODES: "10.0.0.1" }, /^REDIS_CLUSTER_NODES entries must be host:port/],
    [{ REDIS_URL: "redis://a", REDIS_KEY_PREFIX: "{all}:" }, /^REDIS_KEY_PREFIX may hold/],
    [{ REDIS_URL: "redis://a", REDIS_COMMAND_TIMEOUT_MS: "0" }, /^REDIS_COMMAND_TIMEOUT_MS must be an integer from 10/],
    [{ SMTP_URL: "http://mail.example.com" }, /^SMTP_URL must start with smtp: or smtps:$/],
    [{ MAIL_MAX_ATTEMPTS: "0" }, /^MAIL_MAX_ATTEMPTS must be an integer from 1 to 100/],
  ])("names the variable and the rule for %o", (env, message) => {
    expect(() => loadConfig(env, emptyDir())).toThrow(message);
  });

  it("reads mail settings, without SMTP by default", () => {
    expect(loadConfig({}, emptyDir()).mail).toEqual({
      smtpUrl: undefined,
      from: "Gatehouse <no-reply@localhost>",
      pollIntervalMs: 1000,
      batchSize: 20,
      maxAttempts: 8,
      retryBaseSeconds: 30,
      giveUpAfterHours: 24,
    });
    const mail = loadConfig(
      { SMTP_URL: "smtps://u:p@mail.example.com:465", MAIL_FROM: "A <a@example.com>" },
      emptyDir(),
    ).mail;
    expect(mail).toMatchObject({ smtpUrl: "smtps://u:p@mail.example.com:465", from: "A <a@example.com>" });
  });

  it("never echoes an invalid SMTP_URL, which may hold a password", () => {
    expect(() => loadConfig({ SMTP_URL: "ftp://user:hunter2@x" }, emptyDir())).toThrow(/^SMTP_URL must start/);
    expect(() => loadConfig({ SMTP_URL: "ftp://user:hunter2@x" }, emptyDir())).not.toThrow(/hunter2/);
  });

  it("refuses production without a JWT secret, and any secret under 32 bytes, without echoing it", () => {
    const production = loadConfig({ NODE_ENV: "production" }, emptyDir());
    expect(() => resolveJwtSecret(production.jwt.secret, production.dataDir, production.production)).toThrow(
      /^JWT_SECRET is required/,
    );
    let error: unknown;
    try {
      loadConfig({ JWT_SECRET: "short-secret-value" }, emptyDir());
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toBe("JWT_SECRET must be at least 32 bytes long");
    expect((error as Error).message).not.toContain("short-secret-value");
  });
});

describe("loadConfig: rate limits and TRUST_PROXY", () => {
  it("defaults in production to the README's rate-limit table and 10 failed logins per 15 minutes, with TRUST_PROXY off", () => {
    const config = loadConfig({ NODE_ENV: "production", JWT_SECRET: "x".repeat(32) }, emptyDir());
    expect(config.rateLimits).toEqual({
      auth: { limit: 5, windowSeconds: 60 },
      refresh: { limit: 10, windowSeconds: 60 },
      api: { limit: 100, windowSeconds: 60 },
      api_anonymous: { limit: 30, windowSeconds: 60 },
      admin: { limit: 60, windowSeconds: 60 },
      login_failures: { limit: 10, windowSeconds: 900 },
    });
    expect(config.trustProxy).toBe(false);
  });

  it("relaxes the shared auth budget to 30 per minute in development, so the quick start meets no 429", () => {
    const development = loadConfig({}, emptyDir()).rateLimits;
    const production = loadConfig({ APP_ENV: "production", JWT_SECRET: "x".repeat(32) }, emptyDir()).rateLimits;
    expect(development.auth).toEqual({ limit: 30, windowSeconds: 60 });
    expect(production.auth).toEqual({ limit: 5, windowSeconds: 60 });
    expect({ ...development, auth: production.auth }).toEqual(production);
    expect(loadConfig({ RATE_LIMIT_AUTH_REQUESTS: "5" }, emptyDir()).rateLimits.auth.limit).toBe(5);
  });

  it("reads RATE_LIMIT_<CATEGORY>_REQUESTS and _WINDOW_SECONDS, and refuses a zero limit", () => {
    const config = loadConfig(
      {
        RATE_LIMIT_AUTH_REQUESTS: "7",
        RATE_LIMIT_LOGIN_FAILURES_WINDOW_SECONDS: "3600",
        RATE_LIMIT_API_ANONYMOUS_REQUESTS: "12",
      },
      emptyDir(),
    );
    expect(config.rateLimits.auth).toEqual({ limit: 7, windowSeconds: 60 });
    expect(config.rateLimits.login_failures).toEqual({ limit: 10, windowSeconds: 3600 });
    expect(config.rateLimits.api_anonymous.limit).toBe(12);
    expect(() => loadConfig({ RATE_LIMIT_API_REQUESTS: "0" }, emptyDir())).toThrow(
      /RATE_LIMIT_API_REQUESTS must be an integer from 1/,
    );
  });

  it("takes TRUST_PROXY as off, a hop count or a list of addresses and CIDRs", () => {
    const trust = (value: string) => loadConfig({ TRUST_PROXY: value }, emptyDir()).trustProxy;
    expect(trust("off")).toBe(false);
    expect(trust("false")).toBe(false);
    expect(trust("2")).toBe(2);
    expect(trust("10.0.0.0/8, 192.168.1.10,loopback, fd00::/8")).toEqual([
      "10.0.0.0/8",
      "192.168.1.10",
      "loopback",
      "fd00::/8",
    ]);
  });

  it("refuses TRUST_PROXY=true (every client could name itself) and malformed ranges", () => {
    for (const value of ["true", "10.0.0.0/33", "proxy.internal", "10.0.0.1/8/1"]) {
      expect(() => loadConfig({ TRUST_PROXY: value }, emptyDir())).toThrow(ConfigError);
    }
  });
});

describe("resolveJwtSecret", () => {
  it("generates a development secret once and reuses it", () => {
    const dir = emptyDir();
    const first = resolveJwtSecret(undefined, dir);
    const second = resolveJwtSecret(undefined, dir);
    expect(first.generated).toBe(true);
    expect(first.secret.byteLength).toBeGreaterThanOrEqual(32);
    expect(Buffer.from(second.secret).equals(Buffer.from(first.secret))).toBe(true);
  });

  it("uses a configured secret as is", () => {
    const result = resolveJwtSecret("c".repeat(40), emptyDir());
    expect(result.generated).toBe(false);
    expect(new TextDecoder().decode(result.secret)).toBe("c".repeat(40));
  });
});
