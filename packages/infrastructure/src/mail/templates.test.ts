import type { OutgoingMail } from "@gatehouse/domain";
import { describe, expect, it } from "vitest";
import { escapeHtml, renderMail } from "./templates.js";

const code = { code: "123456", link: "https://id.example.com/verify?token=a&b=<c>", expiresAt: "2030-01-01T00:00:00Z" };
const every: OutgoingMail[] = [
  { to: "a@example.com", template: "verify-email", data: { username: "ada", ...code } },
  { to: "a@example.com", template: "verify-new-email", data: { username: "ada", ...code } },
  { to: "a@example.com", template: "password-reset", data: { username: "ada", ...code } },
  { to: "a@example.com", template: "email-change-notice", data: { username: "ada", newEmail: "new@example.com" } },
  { to: "a@example.com", template: "password-changed", data: { username: "ada" } },
  { to: "a@example.com", template: "registration-attempt", data: { username: "ada" } },
  { to: "a@example.com", template: "mfa-reset-by-admin", data: { username: "ada" } },
];

describe("renderMail", () => {
  it.each(every)("renders $template with a subject, a text and an HTML body", (mail) => {
    const rendered = renderMail(mail, "Gatehouse");
    expect(rendered.to).toBe("a@example.com");
    expect(rendered.subject).toContain("Gatehouse");
    expect(rendered.text).toContain("Hello ada,");
    expect(rendered.html).toContain("<p>Hello ada,</p>");
  });

  it("puts the code and the link in both bodies, escaping them in HTML", () => {
    const rendered = renderMail(every[0] as OutgoingMail, "Gatehouse");
    expect(rendered.text).toContain("123456");
    expect(rendered.text).toContain("https://id.example.com/verify?token=a&b=<c>");
    expect(rendered.html).toContain('href="https://id.example.com/verify?token=a&amp;b=&lt;c&gt;"');
    expect(rendered.html).toContain("123456");
  });

  it("escapes user data in HTML", () => {
    const rendered = renderMail(
      {
        to: "x@example.com",
        template: "email-change-notice",
        data: { username: '<script>"x"', newEmail: "a'b@example.com" },
      },
      "Gatehouse",
    );
    expect(rendered.html).not.toContain("<script>");
    expect(rendered.html).toContain("&lt;script&gt;&quot;x&quot;");
    expect(rendered.html).toContain("a&#39;b@example.com");
  });

  it("escapes the five HTML metacharacters", () => {
    expect(escapeHtml(`&<>"'`)).toBe("&amp;&lt;&gt;&quot;&#39;");
  });
});
