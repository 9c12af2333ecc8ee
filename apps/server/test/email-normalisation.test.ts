import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { errorCode, post, register } from "./support/http.js";
import { startTestServer, type TestServer, uniqueUser } from "./support/test-server.js";

describe("look-alike email addresses", () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer();
  });
  afterAll(async () => {
    await t.close();
  });

  it("account squatting with look-alikes: fullwidth, ligature, trailing-dot, zero-width and soft-hyphen forms of a taken address are the same account", async () => {
    const owner = { ...uniqueUser("finn"), email: `finn${Date.now()}@example.com` };
    const id = await register(t, owner);
    const [local, domain] = owner.email.split("@") as [string, string];
    const lookAlikes = [
      `${local.replace("f", "ｆ")}@${domain}`,
      `${local.replace("fi", "ﬁ")}@${domain}`,
      `${owner.email}.`,
      `${local.slice(0, 2)}\u200b${local.slice(2)}@${domain}`,
      `${local.slice(0, 2)}\u00ad${local.slice(2)}@${domain.toUpperCase()}`,
    ];
    for (const email of lookAlikes) {
      const again = await post(t, "/api/v1/auth/register", { ...uniqueUser("squat"), email });
      expect([again.status, errorCode(again.body)], email).toEqual([409, "DUPLICATE_EMAIL"]);
      const login = await post(t, "/api/v1/auth/login", { email, password: owner.password });
      expect(login.status, email).toBe(200);
      expect((login.body.data as { user: { id: string } }).user.id).toBe(id);
    }
  });

  it("a Unicode domain is stored in its IDNA form, and both spellings reach the account", async () => {
    const user = { ...uniqueUser("idna"), email: `idna${Date.now()}@bücher.example` };
    await register(t, user);
    const ascii = user.email.replace("bücher", "xn--bcher-kva");
    const login = await post(t, "/api/v1/auth/login", { email: ascii, password: user.password });
    expect(login.status).toBe(200);
    expect((login.body.data as { user: { email: string } }).user.email).toBe(ascii);
  });

  it("an address that stays invalid after normalization is a 400", async () => {
    for (const email of ["ada@exa_mple.com", "ada@\u200b.com", "ada@-x.com"]) {
      const response = await post(t, "/api/v1/auth/register", { ...uniqueUser(), email });
      expect([response.status, errorCode(response.body)], email).toEqual([400, "VALIDATION_ERROR"]);
    }
  });
});
