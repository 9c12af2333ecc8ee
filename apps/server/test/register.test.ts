import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { errorCode, post } from "./support/http.js";
import { sql, startTestServer, type TestServer, testDatabaseKinds, uniqueUser } from "./support/test-server.js";

describe("POST /api/v1/auth/register", () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer();
  });
  afterAll(async () => {
    await t.close();
  });

  it("creates an active user with the user role and answers 201 in the envelope", async () => {
    const user = uniqueUser();
    const response = await post(t, "/api/v1/auth/register", {
      ...user,
      email: `  ${user.email.toUpperCase()} `,
      full_name: "Ada Lovelace",
      phone_number: "+44 20 7946 0000",
    });
    expect(response.status).toBe(201);
    expect(response.body).toMatchObject({
      success: true,
      message: "User registered successfully",
      data: { username: user.username, email: user.email, status: "active", full_name: "Ada Lovelace" },
    });
    const data = response.body.data as Record<string, unknown>;
    expect(data).not.toHaveProperty("password_hash");
    expect(data.id).toMatch(/^[0-9a-f-]{36}$/);
    const [row] = await t.query<{ roles: string[]; password_hash: string }>(
      sql`SELECT u.password_hash, array_agg(r.name) AS roles FROM users u
          JOIN user_roles ur ON ur.user_id = u.id JOIN roles r ON r.id = ur.role_id
          WHERE u.id = ${data.id as string} GROUP BY u.password_hash`,
    );
    expect(row?.roles).toEqual(["user"]);
    expect(row?.password_hash).toMatch(/^\$argon2id\$/);
    const audit = await t.query(
      sql`SELECT 1 FROM audit_logs WHERE action = 'auth.register' AND user_id = ${data.id as string}`,
    );
    expect(audit).toHaveLength(1);
  });

  it("is also served at POST /api/v1/register", async () => {
    expect((await post(t, "/api/v1/register", uniqueUser())).status).toBe(201);
  });

  it("answers 409 DUPLICATE_EMAIL and DUPLICATE_USERNAME case-insensitively", async () => {
    const user = uniqueUser();
    await post(t, "/api/v1/auth/register", user);
    const sameEmail = await post(t, "/api/v1/auth/register", { ...uniqueUser(), email: user.email.toUpperCase() });
    expect(sameEmail.status).toBe(409);
    expect(errorCode(sameEmail.body)).toBe("DUPLICATE_EMAIL");
    const sameName = await post(t, "/api/v1/auth/register", { ...uniqueUser(), username: user.username.toUpperCase() });
    expect(sameName.status).toBe(409);
    expect(errorCode(sameName.body)).toBe("DUPLICATE_USERNAME");
  });

  it("reports every bad field at once", async () => {
    const response = await post(t, "/api/v1/auth/register", {
      username: "a!",
      email: "not-an-email",
      password: "short",
    });
    expect(response.status).toBe(400);
    expect(errorCode(response.body)).toBe("VALIDATION_ERROR");
    const fields = ((response.body.error as { details: Array<{ field: string }> }).details ?? []).map((d) => d.field);
    expect(fields.sort()).toEqual(["email", "password", "username"]);
  });

  it("refuses a password over 128 characters", async () => {
    const response = await post(t, "/api/v1/auth/register", { ...uniqueUser(), password: `Aa1${"x".repeat(126)}` });
    expect(response.status).toBe(400);
    expect((response.body.error as { details: Array<{ field: string }> }).details[0]?.field).toBe("password");
  });

  describe("with PASSWORD_REQUIRE_COMPOSITION=true (off by default)", () => {
    let strict: TestServer;
    beforeAll(async () => {
      strict = await startTestServer({ PASSWORD_REQUIRE_COMPOSITION: "true" });
    });
    afterAll(async () => {
      await strict.close();
    });

    it.each([
      ["no digit", "NoDigitsHere"],
      ["no upper-case letter", "lowercase123"],
      ["no lower-case letter", "UPPERCASE123"],
    ])("refuses a password with %s, which the default accepts", async (_why, password) => {
      const response = await post(strict, "/api/v1/auth/register", { ...uniqueUser(), password });
      expect(response.status).toBe(400);
      expect((response.body.error as { details: Array<{ field: string }> }).details[0]?.field).toBe("password");
      expect((await post(t, "/api/v1/auth/register", { ...uniqueUser(), password })).status).toBe(201);
    });
  });

  it("reports missing fields and refuses unknown ones (no mass assignment)", async () => {
    const missing = await post(t, "/api/v1/auth/register", { username: "someone" });
    expect(missing.status).toBe(400);
    const fields = (missing.body.error as { details: Array<{ field: string }> }).details.map((d) => d.field);
    expect(fields).toEqual(expect.arrayContaining(["email", "password"]));
    const extra = await post(t, "/api/v1/auth/register", { ...uniqueUser(), roles: ["super_admin"] });
    expect(extra.status).toBe(400);
    expect((extra.body.error as { details: Array<{ field: string }> }).details).toContainEqual({
      field: "roles",
      message: "is not allowed",
    });
  });
});

// The race needs real connections to mean anything: on PostgreSQL when configured.
describe.each(testDatabaseKinds())("concurrent registration on %s", (kind) => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer({}, kind);
  });
  afterAll(async () => {
    await t.close();
  });

  it("gives exactly one 201 for 20 parallel registrations of one email", async () => {
    const email = uniqueUser().email;
    const responses = await Promise.all(
      Array.from({ length: 20 }, () => post(t, "/api/v1/auth/register", { ...uniqueUser(), email })),
    );
    const statuses = responses.map((response) => response.status).sort();
    expect(statuses.filter((status) => status === 201)).toHaveLength(1);
    expect(statuses.filter((status) => status === 409)).toHaveLength(19);
    const rows = await t.query(sql`SELECT 1 FROM users WHERE email = ${email}`);
    expect(rows).toHaveLength(1);
  });
});
