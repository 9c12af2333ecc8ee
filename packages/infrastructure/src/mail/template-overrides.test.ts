import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { OutgoingMail } from "@gatehouse/domain";
import { describe, expect, it } from "vitest";
import { loadMailTemplateOverrides, MailTemplateError } from "./template-overrides.js";
import { renderMail } from "./templates.js";

function folderWith(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "gh-mail-templates-"));
  for (const [name, body] of Object.entries(files)) writeFileSync(join(dir, name), body);
  return dir;
}

function loadError(files: Record<string, string>): { dir: string; message: string } {
  const dir = folderWith(files);
  try {
    loadMailTemplateOverrides(dir);
  } catch (error) {
    expect(error).toBeInstanceOf(MailTemplateError);
    return { dir, message: (error as Error).message };
  }
  throw new Error("expected the templates to be refused");
}

const verify: OutgoingMail = {
  to: "ada@example.com",
  template: "verify-email",
  data: {
    username: '<b>"ada"</b>',
    code: "654321",
    link: "https://id.example.com/v?token=a&b",
    expiresAt: "2030-01-01T00:00:00Z",
  },
};

describe("loadMailTemplateOverrides", () => {
  it("is off without MAIL_TEMPLATES_DIR", () => {
    expect(loadMailTemplateOverrides(undefined)).toBeUndefined();
  });

  it("replaces the parts a folder has, escapes HTML by default and keeps the built-ins for the rest", () => {
    const overrides = loadMailTemplateOverrides(
      folderWith({
        "verify-email.html.eta":
          "<p>Hi <%= it.username %></p><p><%= it.code %></p><a href=\"<%= it.link %>\">go</a><%~ '<hr>' %>",
        "verify-email.text.eta": "Hi <%= it.username %>, your <%= it.product %> code is <%= it.code %>.\n",
        "verify-email.subject.eta": "  <%= it.code %> is your <%= it.product %> code\n",
        "README.txt": "not a template: ignored",
      }),
    );
    const rendered = renderMail(verify, "Acme ID", overrides);
    expect(rendered.html).toBe(
      '<p>Hi &lt;b&gt;&quot;ada&quot;&lt;/b&gt;</p><p>654321</p><a href="https://id.example.com/v?token=a&amp;b">go</a><hr>',
    );
    expect(rendered.text).toBe('Hi <b>"ada"</b>, your Acme ID code is 654321.\n');
    expect(rendered.subject).toBe("654321 is your Acme ID code");
    const other = renderMail(
      { to: "a@example.com", template: "password-changed", data: { username: "ada" } },
      "Acme ID",
      overrides,
    );
    expect(other).toEqual(
      renderMail({ to: "a@example.com", template: "password-changed", data: { username: "ada" } }, "Acme ID"),
    );
    expect(overrides?.files).toEqual(["verify-email.html.eta", "verify-email.subject.eta", "verify-email.text.eta"]);
  });

  it("keeps the built-in HTML when only the text is overridden", () => {
    const overrides = loadMailTemplateOverrides(folderWith({ "password-reset.text.eta": "code <%= it.code %>\n" }));
    const mail: OutgoingMail = { ...verify, template: "password-reset" };
    expect(renderMail(mail, "Gatehouse", overrides).html).toBe(renderMail(mail, "Gatehouse").html);
    expect(renderMail(mail, "Gatehouse", overrides).text).toBe("code 654321\n");
  });

  it("refuses an unclosed tag with the file and line", () => {
    const { dir, message } = loadError({ "verify-email.html.eta": "<p>Hello</p>\n<p>\n<%= it.code \n</p>" });
    expect(message).toMatch(new RegExp(`^${join(dir, "verify-email.html.eta")}:3: `));
  });

  it("refuses invalid JavaScript in a tag with the file and line", () => {
    const { dir, message } = loadError({ "password-changed.text.eta": "Hello\n\n<%= it.username + %>\n" });
    expect(message).toBe(`${join(dir, "password-changed.text.eta")}:3: invalid JavaScript in a template tag`);
  });

  it("refuses a template that throws when rendered, at load, with the file and line", () => {
    const { dir, message } = loadError({ "email-change-notice.html.eta": "<p>x</p>\n<p><%= it.missing.field %></p>" });
    expect(message).toMatch(new RegExp(`^${join(dir, "email-change-notice.html.eta")}:2: .*field`));
  });

  it("refuses a misspelled template or part name, naming the file", () => {
    const { dir, message } = loadError({ "verify-emial.html.eta": "x" });
    expect(message).toContain(join(dir, "verify-emial.html.eta"));
    expect(message).toContain("not a mail template");
    expect(loadError({ "verify-email.htm.eta": "x" }).message).toContain("not a mail template");
  });

  it("refuses a folder that does not exist", () => {
    const missing = join(mkdtempSync(join(tmpdir(), "gh-mail-templates-")), "nope");
    expect(() => loadMailTemplateOverrides(missing)).toThrow(`MAIL_TEMPLATES_DIR ${missing}: ENOENT`);
    mkdirSync(missing);
    expect(loadMailTemplateOverrides(missing)?.files).toEqual([]);
  });
});
