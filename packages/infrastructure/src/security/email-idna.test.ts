import { domainToASCII } from "node:url";
import { normalizeEmail } from "@gatehouse/domain";
import { describe, expect, it } from "vitest";

// The domain package encodes IDNA labels with its own Punycode (it may not import node:); this
// checks it against Node's WHATWG URL implementation, the rule the README names.
describe("email normalization agrees with node:url domainToASCII", () => {
  it.each([
    "bücher.de",
    "münchen.example",
    "例え.テスト",
    "ÄÖÜ.de",
    "faß.de",
    "παράδειγμα.δοκιμή",
    "пример.рф",
    "xn--bcher-kva.de",
    "日本語。ｊｐ",
    "ｅｘａｍｐｌｅ.ｃｏｍ",
    "☃.net",
    "mañana.com",
    "straße.example",
    "EXAMPLE.com",
  ])("%s", (domain) => {
    const normalized = normalizeEmail(`ada@${domain}`);
    expect(normalized.slice("ada@".length)).toBe(domainToASCII(domain));
  });
});
