import { randomBytes } from "node:crypto";
import { NO_TEST_REDIS, sharedRedisUrl } from "@gatehouse/infrastructure/testing/redis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OtlpReceiver } from "./support/otlp-receiver.js";
import { call, type RunningServer, startServerProcess } from "./support/server-process.js";
import { TestSmtpServer } from "./support/smtp-server.js";
import { uniqueUser } from "./support/test-server.js";

const SERVER = 2;
const CLIENT = 3;

const serverEnv = {
  REQUIRE_EMAIL_VERIFICATION: "false",
  LOGIN_DELAY_MAX_SECONDS: "0",
  LOG_LEVEL: "info",
  // The SDK's batch delay (5 s by default), so the test need not wait for it.
  OTEL_BSP_SCHEDULE_DELAY: "100",
};

/** The JSON log lines the process printed. */
function logLines(server: RunningServer): Array<Record<string, unknown>> {
  return server
    .output()
    .split("\n")
    .filter((line) => line.startsWith("{"))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** The access-log line of `requestId`; it is written just after the response, so it may lag. */
async function accessLine(server: RunningServer, requestId: string): Promise<Record<string, unknown>> {
  const deadline = Date.now() + 5000;
  for (;;) {
    const line = logLines(server).find((each) => each.reqId === requestId && each.msg === "request");
    if (line) return line;
    if (Date.now() > deadline) throw new Error(`no access line for ${requestId}:\n${server.output().slice(-2000)}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

async function registerAndLogIn(base: string, headers: Record<string, string>) {
  const user = uniqueUser("trace");
  expect((await call(base, "POST", "/api/v1/auth/register", user)).status).toBe(201);
  const login = await call(
    base,
    "POST",
    "/api/v1/auth/login",
    { email: user.email, password: user.password },
    undefined,
    headers,
  );
  expect(login.status).toBe(200);
  return login;
}

describe("OpenTelemetry traces (OTEL_EXPORTER_OTLP_ENDPOINT set)", () => {
  let receiver: OtlpReceiver;
  let server: RunningServer;
  beforeAll(async () => {
    receiver = await OtlpReceiver.start();
    server = await startServerProcess({
      ...serverEnv,
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
      OTEL_SERVICE_NAME: "gatehouse-under-test",
    });
  });
  afterAll(async () => {
    if (server.child.exitCode === null) server.child.kill("SIGKILL");
    await receiver.close();
  });

  it("exports one login as a tree: the HTTP span under the caller's traceparent, password verify and statements under it", async () => {
    const traceId = randomBytes(16).toString("hex");
    const callerSpanId = randomBytes(8).toString("hex");
    const requestId = `login-${randomBytes(4).toString("hex")}`;
    await registerAndLogIn(server.baseUrl, {
      traceparent: `00-${traceId}-${callerSpanId}-01`,
      "x-request-id": requestId,
    });

    const http = await receiver.waitFor((s) => s.traceId === traceId && s.kind === SERVER);
    expect(http.name).toBe("POST /api/v1/auth/login");
    expect(http.parentSpanId).toBe(callerSpanId);
    expect(http.attributes).toMatchObject({
      "http.route": "/api/v1/auth/login",
      "http.request.method": "POST",
      "http.response.status_code": 200,
      "gatehouse.request_id": requestId,
    });
    expect(http.resource["service.name"]).toBe("gatehouse-under-test");

    const verify = await receiver.waitFor((s) => s.traceId === traceId && s.name === "password.verify");
    expect(verify.parentSpanId).toBe(http.spanId);
    const userLookup = await receiver.waitFor(
      (s) => s.traceId === traceId && s.name === "select users" && s.parentSpanId === http.spanId,
    );
    expect(userLookup.kind).toBe(CLIENT);
    expect(userLookup.attributes).toMatchObject({ "db.system.name": "postgresql", "db.collection.name": "users" });
    // The session the login creates is written in the same trace, under the same request.
    await receiver.waitFor((s) => s.traceId === traceId && s.name === "insert refresh_tokens");
    const inTrace = receiver.spans.filter((s) => s.traceId === traceId);
    expect(inTrace.filter((s) => s.kind === SERVER)).toHaveLength(1);
    for (const span of inTrace.filter((s) => s !== http)) {
      expect(inTrace.some((parent) => parent.spanId === span.parentSpanId)).toBe(true);
    }
    // Spans never carry the statement text, its parameters or the password.
    expect(JSON.stringify(inTrace)).not.toMatch(/Correct-Horse-9|@example\.com/);
  });

  it("starts a root span for a request without traceparent, named by route template", async () => {
    const requestId = `root-${randomBytes(4).toString("hex")}`;
    const login = await registerAndLogIn(server.baseUrl, { "x-request-id": requestId });
    const token = (login.body.data as { access_token: string }).access_token;
    const http = await receiver.waitFor((s) => s.attributes["gatehouse.request_id"] === requestId);
    expect(http.parentSpanId).toBe("");
    expect(http.traceId).toMatch(/^[0-9a-f]{32}$/);

    const meId = `me-${randomBytes(4).toString("hex")}`;
    expect(
      (await call(server.baseUrl, "GET", "/api/v1/auth/me", undefined, token, { "x-request-id": meId })).status,
    ).toBe(200);
    const me = await receiver.waitFor((s) => s.attributes["gatehouse.request_id"] === meId);
    expect(me.name).toBe("GET /api/v1/auth/me");
    expect(me.traceId).not.toBe(http.traceId);

    // An unmatched path keeps the bare method: raw URLs never name spans.
    const missingId = `missing-${randomBytes(4).toString("hex")}`;
    const secretPath = `/api/v1/nothing-${randomBytes(6).toString("hex")}`;
    await call(server.baseUrl, "GET", secretPath, undefined, undefined, { "x-request-id": missingId });
    const missing = await receiver.waitFor((s) => s.attributes["gatehouse.request_id"] === missingId);
    expect(missing.name).toBe("GET");
    expect(missing.attributes["http.route"]).toBe("unmatched");
    expect(JSON.stringify(receiver.spans)).not.toContain(secretPath);
  });

  it("puts trace_id and span_id on the request's log lines", async () => {
    const traceId = randomBytes(16).toString("hex");
    const requestId = `logs-${randomBytes(4).toString("hex")}`;
    await registerAndLogIn(server.baseUrl, {
      traceparent: `00-${traceId}-${randomBytes(8).toString("hex")}-01`,
      "x-request-id": requestId,
    });
    const http = await receiver.waitFor((s) => s.traceId === traceId && s.kind === SERVER);
    const access = await accessLine(server, requestId);
    expect(access).toMatchObject({ trace_id: traceId, span_id: http.spanId });
    // Lines outside any request carry none.
    const listening = logLines(server).find((line) => String(line.msg).startsWith("Gatehouse listening"));
    expect(listening).toBeDefined();
    expect(listening).not.toHaveProperty("trace_id");
    expect(receiver.refused).toEqual([]);
  });
});

const redisUrl = sharedRedisUrl();

// With CI=true a missing Redis fails (the start does not find it) instead of skipping.
describe.skipIf(redisUrl === NO_TEST_REDIS && process.env.CI !== "true")(
  "traces of Redis commands and SMTP sends",
  () => {
    let receiver: OtlpReceiver;
    let smtp: TestSmtpServer;
    let server: RunningServer;
    beforeAll(async () => {
      [receiver, smtp] = await Promise.all([OtlpReceiver.start(), TestSmtpServer.start()]);
      server = await startServerProcess({
        ...serverEnv,
        REQUIRE_EMAIL_VERIFICATION: "true",
        OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
        REDIS_URL: redisUrl,
        REDIS_KEY_PREFIX: `gh-trace-${randomBytes(4).toString("hex")}:`,
        SMTP_URL: smtp.url,
        MAIL_POLL_INTERVAL_MS: "50",
      });
    });
    afterAll(async () => {
      if (server.child.exitCode === null) server.child.kill("SIGKILL");
      await Promise.all([receiver.close(), smtp.stop()]);
    });

    it("puts the request's Redis commands under its span, and each SMTP send in a span of its own", async () => {
      const traceId = randomBytes(16).toString("hex");
      const user = uniqueUser("traced_mail");
      const registered = await call(server.baseUrl, "POST", "/api/v1/auth/register", user, undefined, {
        traceparent: `00-${traceId}-${randomBytes(8).toString("hex")}-01`,
      });
      expect(registered.status).toBe(201);
      const http = await receiver.waitFor((s) => s.traceId === traceId && s.kind === SERVER);
      expect(http.name).toBe("POST /api/v1/auth/register");
      const command = await receiver.waitFor((s) => s.traceId === traceId && s.name.startsWith("redis."));
      expect(command.parentSpanId).toBe(http.spanId);
      expect(receiver.spans.find((s) => s.name === "password.hash" && s.traceId === traceId)?.parentSpanId).toBe(
        http.spanId,
      );

      await smtp.waitForMail(user.email);
      const send = await receiver.waitFor((s) => s.name === "smtp.send");
      expect(send.status.code ?? 0).toBe(0);
      expect(send.parentSpanId).toBe("");
    });
  },
);

describe("OpenTelemetry traces off (no OTEL_EXPORTER_OTLP_ENDPOINT)", () => {
  let receiver: OtlpReceiver;
  let server: RunningServer;
  beforeAll(async () => {
    receiver = await OtlpReceiver.start();
    // The receiver's address reaches the process only through the SDK's per-signal variable,
    // which Gatehouse does not read: it must not start an exporter on its own.
    server = await startServerProcess({
      ...serverEnv,
      OTEL_SERVICE_NAME: "gatehouse-untraced",
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${receiver.endpoint}/v1/traces`,
    });
  });
  afterAll(async () => {
    if (server.child.exitCode === null) server.child.kill("SIGKILL");
    await receiver.close();
  });

  it("exports nothing and logs no trace ids", async () => {
    const requestId = `off-${randomBytes(4).toString("hex")}`;
    await registerAndLogIn(server.baseUrl, {
      traceparent: `00-${randomBytes(16).toString("hex")}-${randomBytes(8).toString("hex")}-01`,
      "x-request-id": requestId,
    });
    const access = await accessLine(server, requestId);
    expect(access).not.toHaveProperty("trace_id");
    expect(server.output()).not.toContain("tracing on");
    // Several batch delays: an exporter, had one started, would have sent by now.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(receiver.exports).toBe(0);
  });
});
