import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { errorCode, get, post } from "./support/http.js";
import { startTestServer, type TestServer, uniqueUser } from "./support/test-server.js";

describe("error envelope, limits and headers", () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer({ CORS_ALLOWED_ORIGINS: "http://localhost:3000" });
  });
  afterAll(async () => {
    await t.close();
  });

  it("answers an unknown route with 404 NOT_FOUND in the envelope, with the request id", async () => {
    const response = await get(t, "/api/v1/nope");
    expect(response.status).toBe(404);
    expect(response.body).toMatchObject({ success: false, error: { code: "NOT_FOUND" } });
    expect((response.body.error as { request_id: string }).request_id).toBe(response.headers["x-request-id"]);
  });

  it("answers a known path with the wrong method with 405 and Allow", async () => {
    const response = await t.app.inject({ method: "DELETE", url: "/api/v1/auth/login" });
    expect(response.statusCode).toBe(405);
    expect(response.headers.allow).toBe("POST");
    expect(response.json().error.code).toBe("METHOD_NOT_ALLOWED");
  });

  it("answers a malformed URL in the envelope, with the request id and headers", async () => {
    const response = await t.app.inject({ method: "GET", url: "/api/v1/%zz" });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ success: false, error: { code: "VALIDATION_ERROR" } });
    expect(response.json().error.request_id).toBe(response.headers["x-request-id"]);
    expect(response.headers["x-content-type-options"]).toBe("nosniff");
  });

  it("does not coerce body types: an array or a string boolean is a 400", async () => {
    const arrays = await post(t, "/api/v1/auth/register", {
      username: ["bob"],
      email: ["bob@example.com"],
      password: ["Correct-Horse-9"],
    });
    expect(arrays.status).toBe(400);
    const number = await post(t, "/api/v1/auth/login", { email: "a@example.com", password: 12345678 });
    expect(number.status).toBe(400);
  });

  it("answers malformed JSON with 400 VALIDATION_ERROR and no parser internals", async () => {
    const response = await t.app.inject({
      method: "POST",
      url: "/api/v1/auth/login",
      headers: { "content-type": "application/json" },
      payload: '{"email": "a@example.com", "password": ',
    });
    expect(response.statusCode).toBe(400);
    expect(response.json().error).toMatchObject({
      code: "VALIDATION_ERROR",
      message: "Request body is not valid JSON",
    });
    expect(response.body).not.toMatch(/Unexpected|position|at JSON/);
  });

  it("answers a wrong content type with 415", async () => {
    const response = await t.app.inject({
      method: "POST",
      url: "/api/v1/auth/login",
      headers: { "content-type": "text/plain" },
      payload: "email=a",
    });
    expect(response.statusCode).toBe(415);
    expect(response.json().error.code).toBe("UNSUPPORTED_MEDIA_TYPE");
  });

  it("answers a body over 64 KiB with 413", async () => {
    const response = await post(t, "/api/v1/auth/register", { ...uniqueUser(), full_name: "x".repeat(70_000) });
    expect(response.status).toBe(413);
    expect(errorCode(response.body)).toBe("PAYLOAD_TOO_LARGE");
  });

  it("accepts a sane incoming X-Request-Id and replaces an unsafe one", async () => {
    const sane = await t.app.inject({
      method: "GET",
      url: "/health/live",
      headers: { "x-request-id": "trace-123.abc" },
    });
    expect(sane.headers["x-request-id"]).toBe("trace-123.abc");
    const unsafe = await t.app.inject({
      method: "GET",
      url: "/nope",
      headers: { "x-request-id": "<script>alert(1)</script>" },
    });
    expect(unsafe.headers["x-request-id"]).toMatch(/^[0-9a-f-]{36}$/);
    expect(unsafe.json().error.request_id).toBe(unsafe.headers["x-request-id"]);
  });

  it("turns an infrastructure failure into a generic 5xx without internals", async () => {
    const broken = await startTestServer();
    await broken.database.handle.close();
    const response = await post(broken, "/api/v1/auth/login", { email: "a@example.com", password: "Whatever-1" });
    expect(response.status).toBeGreaterThanOrEqual(500);
    expect(["INTERNAL_ERROR", "SERVICE_UNAVAILABLE"]).toContain(errorCode(response.body));
    expect(JSON.stringify(response.body)).not.toMatch(/PGlite|closed|stack|at \//i);
    await broken.app.close();
  });

  it("sends security headers and answers CORS preflights for allowed origins only", async () => {
    const live = await t.app.inject({ method: "GET", url: "/health/live" });
    expect(live.headers["x-content-type-options"]).toBe("nosniff");
    expect(live.headers["strict-transport-security"]).toBeDefined();
    const preflight = await t.app.inject({
      method: "OPTIONS",
      url: "/api/v1/auth/login",
      headers: { origin: "http://localhost:3000", "access-control-request-method": "POST" },
    });
    expect(preflight.statusCode).toBe(204);
    expect(preflight.headers["access-control-allow-origin"]).toBe("http://localhost:3000");
    expect(preflight.headers["access-control-max-age"]).toBe("3600");
    const stranger = await t.app.inject({
      method: "OPTIONS",
      url: "/api/v1/auth/login",
      headers: { origin: "http://evil.example", "access-control-request-method": "POST" },
    });
    expect(stranger.headers["access-control-allow-origin"]).toBeUndefined();
  });
});
