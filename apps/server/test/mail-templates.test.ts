import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { get, register } from "./support/http.js";
import { startTestServer, type TestServer, uniqueUser } from "./support/test-server.js";

function templatesDir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "gh-templates-"));
  for (const [name, body] of Object.entries(files)) writeFileSync(join(dir, name), body);
  return dir;
}

describe("MAIL_TEMPLATES_DIR", () => {
  let t: TestServer;
  beforeAll(async () => {
    const dir = templatesDir({
      "verify-email.text.eta": "Welcome to <%= it.product %>, <%= it.username %>. Code: <%= it.code %>\n",
      "verify-email.html.eta": "<h1>Welcome <%= it.username %></h1><p><%= it.code %></p>",
    });
    t = await startTestServer({
      MAIL_TEMPLATES_DIR: dir,
      REQUIRE_EMAIL_VERIFICATION: "true",
      MAIL_POLL_INTERVAL_MS: "20",
    });
  });
  afterAll(async () => {
    await t?.close();
  });

  it("sends the overridden text and HTML, with the built-in subject", async () => {
    const user = uniqueUser("tpl");
    await register(t, user);
    let mails: Array<Record<string, string>> = [];
    for (let i = 0; i < 300 && mails.length === 0; i += 1) {
      const box = await get(t, `/dev/mailbox?to=${encodeURIComponent(user.email)}`);
      mails = (box.body.data as { mails: Array<Record<string, string>> }).mails;
      if (mails.length === 0) await sleep(50);
    }
    const [mail] = mails;
    const code = /Code: (\d{6})/.exec(mail?.text ?? "")?.[1];
    expect(mail?.text).toBe(`Welcome to gatehouse, ${user.username}. Code: ${code}\n`);
    expect(mail?.html).toBe(`<h1>Welcome ${user.username}</h1><p>${code}</p>`);
    expect(mail?.subject).toBe("Verify your email address for gatehouse");
  });
});

describe("a bad template in MAIL_TEMPLATES_DIR", () => {
  it("stops the start with the file and line, before any mail is sent", async () => {
    const dir = templatesDir({ "password-reset.html.eta": "<p>ok</p>\n<p><%= it.code</p>\n" });
    await expect(startTestServer({ MAIL_TEMPLATES_DIR: dir })).rejects.toThrow(
      `${join(dir, "password-reset.html.eta")}:2: `,
    );
  });
});
