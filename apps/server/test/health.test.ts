import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { errorCode, get, registerAndLogIn } from "./support/http.js";
import { BOOTSTRAP_ENV, logInRoot, roleWith, userWithRoles } from "./support/rbac.js";
import { startTestServer, type TestServer, uniqueUser } from "./support/test-server.js";

describe("health endpoints", () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer({ ...BOOTSTRAP_ENV, APP_VERSION: "9.9.9" });
  });
  afterAll(async () => {
    await t.close();
  });

  it("live answers alive", async () => {
    const response = await get(t, "/health/live");
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ status: "alive" });
    expect(Date.parse(response.body.timestamp as string)).not.toBeNaN();
  });

  it("ready checks the database", async () => {
    const response = await get(t, "/health/ready");
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ status: "ready", checks: { database: { status: "healthy" } } });
  });

  it("details needs a token and reports version, uptime, pool and system figures to system:read", async () => {
    const anonymous = await get(t, "/health/details");
    expect(anonymous.status).toBe(401);
    expect(errorCode(anonymous.body)).toBe("UNAUTHORIZED");
    const root = await logInRoot(t);
    const session = await userWithRoles(t, root, [await roleWith(t, root, ["system:read"])]);
    const response = await get(t, "/health/details", session.accessToken);
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({
      status: "healthy",
      version: "9.9.9",
      checks: { database: { status: "healthy", driver: "pglite" } },
      system: { memory_used_mb: expect.any(Number), cpu_usage_percent: expect.any(Number) },
    });
  });

  // Guards the leak of file paths, pool sizes and memory figures to any signed-in user.
  it("details refuses a signed-in user without system:read with 403 and no figures", async () => {
    const plain = await registerAndLogIn(t, uniqueUser("plain"));
    const response = await get(t, "/health/details", plain.accessToken);
    expect(response.status).toBe(403);
    expect(errorCode(response.body)).toBe("INSUFFICIENT_PERMISSIONS");
    expect(response.body).not.toHaveProperty("checks");
    expect(response.body).not.toHaveProperty("system");
  });

  it("GET /api/v1/health answers like live plus version and uptime", async () => {
    const response = await get(t, "/api/v1/health");
    expect(response.body).toMatchObject({ status: "alive", version: "9.9.9", uptime_seconds: expect.any(Number) });
  });

  it("ready turns 503 not_ready once shutdown begins, while live stays up", async () => {
    const other = await startTestServer();
    other.server.beginShutdown();
    const ready = await get(other, "/health/ready");
    expect(ready.status).toBe(503);
    expect(ready.body).toMatchObject({ status: "not_ready", reason: "shutting_down" });
    expect((await get(other, "/health/live")).status).toBe(200);
    await other.close();
  });

  it("ready answers 503 not_ready when the database is gone", async () => {
    const other = await startTestServer();
    await other.database.handle.close();
    const ready = await get(other, "/health/ready");
    expect(ready.status).toBe(503);
    expect(ready.body).toMatchObject({ status: "not_ready", checks: { database: { status: "unhealthy" } } });
    await other.app.close();
  });
});
