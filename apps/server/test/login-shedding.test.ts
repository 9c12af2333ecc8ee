import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { post, register } from "./support/http.js";
import { startTestServer, type TestServer, uniqueUser } from "./support/test-server.js";

// Overload: without a bound, a login flood queued hashes without limit and every sign-in's
// latency grew with the queue. With one hash in flight and one waiting, a burst is shed with
// 503 + Retry-After at once, and the shed answer is the same for known and unknown accounts.
describe("login under overload (bounded hashing queue)", () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer({
      ARGON2_MAX_CONCURRENCY: "1",
      LOGIN_QUEUE_MAX: "1",
      LOGIN_QUEUE_RETRY_AFTER_SECONDS: "2",
    });
  });
  afterAll(async () => {
    await t.close();
  });

  it("sheds the logins beyond the queue with 503 SERVICE_UNAVAILABLE and Retry-After", async () => {
    const user = uniqueUser("shed");
    await register(t, user);
    const attempts = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        post(t, "/api/v1/auth/login", {
          email: i % 2 === 0 ? user.email : `nobody-${i}@example.com`,
          password: user.password,
        }),
      ),
    );
    const shed = attempts.filter((response) => response.status === 503);
    const answered = attempts.filter((response) => response.status === 200 || response.status === 401);
    expect(shed.length).toBeGreaterThan(0);
    expect(answered.length).toBeGreaterThan(0);
    expect(shed.length + answered.length).toBe(12);
    for (const response of shed) {
      expect(response.headers["retry-after"]).toBe("2");
      expect(response.body).toMatchObject({
        success: false,
        error: { code: "SERVICE_UNAVAILABLE", details: { retry_after: 2 } },
      });
      expect(JSON.stringify(response.body)).not.toMatch(/stack|QueueFull|semaphore/i);
    }
    // Once the burst is over, the owner signs in again.
    const later = await post(t, "/api/v1/auth/login", { email: user.email, password: user.password });
    expect(later.status).toBe(200);
  });
});
