import { hostname } from "node:os";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { errorCode, get, registerAndLogIn, type Session } from "./support/http.js";
import { BOOTSTRAP_ENV, logInRoot, roleWith, userWithRoles } from "./support/rbac.js";
import { startTestServer, type TestServer, uniqueUser } from "./support/test-server.js";

const SYSTEM_INFO_KEYS = [
  "cpu_usage",
  "total_memory",
  "used_memory",
  "memory_usage_percent",
  "total_swap",
  "used_swap",
  "hostname",
  "os_name",
  "os_version",
  "kernel_version",
].sort();

describe("GET /health and the host's figures (system:read)", () => {
  let t: TestServer;
  let root: Session;
  let plain: Session;
  let operator: Session;
  beforeAll(async () => {
    t = await startTestServer({ ...BOOTSTRAP_ENV, APP_VERSION: "7.7.7" });
    root = await logInRoot(t);
    plain = await registerAndLogIn(t, uniqueUser("plain"));
    operator = await userWithRoles(t, root, [await roleWith(t, root, ["system:read"])]);
  });
  afterAll(async () => {
    await t.close();
  });

  it("answers status, version, uptime and start time to anyone, without host figures", async () => {
    const response = await get(t, "/health");
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      status: "up",
      version: "7.7.7",
      uptime: expect.any(Number),
      start_time: expect.any(Number),
    });
    const startTime = response.body.start_time as number;
    expect(Number.isInteger(startTime)).toBe(true);
    expect(Math.abs(startTime + (response.body.uptime as number) - Date.now() / 1000)).toBeLessThan(5);
  });

  it("shows no host figures to a signed-in user without system:read", async () => {
    expect((await get(t, "/health", plain.accessToken)).body).not.toHaveProperty("system_info");
    const details = await get(t, "/health/details", plain.accessToken);
    expect(details.status).toBe(403);
    expect(details.body).not.toHaveProperty("system_info");
  });

  it("refuses a bad token instead of ignoring it", async () => {
    const response = await get(t, "/health", "not.a.jwt");
    expect(response.status).toBe(401);
    expect(errorCode(response.body)).toBe("INVALID_TOKEN");
  });

  it.each([
    ["a custom role granting system:read", () => operator],
    ["super_admin", () => root],
  ])("shows the host figures to %s, in /health and /health/details", async (_who, session) => {
    for (const path of ["/health", "/health/details"]) {
      const response = await get(t, path, session().accessToken);
      expect(response.status).toBe(200);
      const info = response.body.system_info as Record<string, number | string>;
      expect(Object.keys(info).sort()).toEqual(SYSTEM_INFO_KEYS);
      expect(info.hostname).toBe(hostname());
      expect(info.cpu_usage).toBeGreaterThanOrEqual(0);
      expect(info.cpu_usage).toBeLessThanOrEqual(100);
      expect(info.total_memory).toBeGreaterThan(0);
      expect(info.used_memory).toBeLessThanOrEqual(info.total_memory as number);
      expect(info.memory_usage_percent).toBeCloseTo(
        ((info.used_memory as number) / (info.total_memory as number)) * 100,
        0,
      );
      expect(info.used_swap).toBeLessThanOrEqual(info.total_swap as number);
      expect(typeof info.kernel_version).toBe("string");
    }
  });
});
