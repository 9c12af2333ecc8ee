import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { post, registerAndLogIn, sendWith } from "./support/http.js";
import { startTestServer, type TestServer, uniqueUser } from "./support/test-server.js";

// Guards against the weak-password attack: list passwords like these used to register with 201.
const COMMON = ["Password1", "P@ssw0rd", "Welcome1", "Summer2024"];
const TOO_COMMON = { field: "password", message: "is too common; choose a longer passphrase" };

describe("password policy over HTTP (common list, context words, length over composition)", () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer();
  });
  afterAll(async () => {
    await t.close();
  });

  it.each(COMMON)("register refuses the common password %j with a VALIDATION_ERROR detail", async (password) => {
    const response = await post(t, "/api/v1/auth/register", { ...uniqueUser(), password });
    expect(response.status).toBe(400);
    expect(response.body.error).toMatchObject({ code: "VALIDATION_ERROR", details: [TOO_COMMON] });
  });

  it("a refused password's detail carries zxcvbn's strength feedback (warning and suggestions)", async () => {
    const response = await post(t, "/api/v1/auth/register", { ...uniqueUser(), password: "Password1" });
    expect(response.body.error).toMatchObject({
      details: [
        { ...TOO_COMMON, feedback: { warning: "This is a commonly used password.", suggestions: expect.any(Array) } },
      ],
    });
    const [detail] = (response.body.error as { details: Array<{ feedback: { suggestions: string[] } }> }).details;
    expect(detail?.feedback.suggestions.length).toBeGreaterThan(0);
  });

  it("register refuses passwords built on the username, the email's local part or the product name", async () => {
    const user = uniqueUser("wonderland");
    for (const password of [`${user.username}!!`, `${user.email.split("@")[0]}-2024`, "Gatehouse-2024"]) {
      const response = await post(t, "/api/v1/auth/register", { ...user, password });
      expect(response.status).toBe(400);
      expect(response.body.error).toMatchObject({ code: "VALIDATION_ERROR", details: [{ field: "password" }] });
    }
  });

  it("accepts a long lower-case passphrase: composition rules are off by default", async () => {
    const response = await post(t, "/api/v1/auth/register", {
      ...uniqueUser(),
      password: "correct horse battery staple",
    });
    expect(response.status).toBe(201);
  });

  it.each(COMMON)("password change refuses %j as new_password", async (password) => {
    const user = uniqueUser();
    const session = await registerAndLogIn(t, user);
    const response = await sendWith(t, "PATCH", "/api/v1/users/me/password", {
      token: session.accessToken,
      payload: { current_password: user.password, new_password: password },
    });
    expect(response.status).toBe(400);
    expect(response.body.error).toMatchObject({
      code: "VALIDATION_ERROR",
      details: [{ ...TOO_COMMON, field: "new_password" }],
    });
  });

  it.each(COMMON)("reset refuses %j before any code is judged, alike for every address", async (password) => {
    const known = uniqueUser();
    await post(t, "/api/v1/auth/register", known);
    for (const email of [known.email, "nobody-here@example.com"]) {
      const response = await post(t, "/api/v1/auth/reset-password", { email, code: "000000", new_password: password });
      expect(response.status).toBe(400);
      expect(response.body.error).toMatchObject({
        code: "VALIDATION_ERROR",
        details: [{ ...TOO_COMMON, field: "new_password" }],
      });
    }
  });
});
