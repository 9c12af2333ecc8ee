import { describe, expect, it } from "vitest";
import { loadConfig } from "./load-config.js";
import { contrastWithWhite } from "./pages-config.js";

const BASE = { JWT_SECRET: "a-secret-that-is-long-enough-for-hs256-tokens" };
const load = (env: Record<string, string>) => loadConfig({ ...BASE, ...env }, "/nonexistent-dir");

describe("PAGES_ENABLED, BRAND_* and the mail link paths", () => {
  it("serves the pages by default, branded Gatehouse, links opening them", () => {
    expect(load({}).pages).toEqual({
      enabled: true,
      productName: "Gatehouse",
      logoUrl: undefined,
      color: "#1d4ed8",
      linkPaths: { verifyEmail: "/verify-email", resetPassword: "/reset-password" },
    });
  });

  it("reads every variable", () => {
    const pages = load({
      PAGES_ENABLED: "false",
      BRAND_NAME: "Acme ID",
      BRAND_LOGO_URL: "https://cdn.acme.test/logo.svg",
      BRAND_COLOR: "#7A1F5C",
      VERIFY_EMAIL_LINK_PATH: "/app/verify",
      RESET_PASSWORD_LINK_PATH: "/app/reset",
    }).pages;
    expect(pages).toEqual({
      enabled: false,
      productName: "Acme ID",
      logoUrl: "https://cdn.acme.test/logo.svg",
      color: "#7a1f5c",
      linkPaths: { verifyEmail: "/app/verify", resetPassword: "/app/reset" },
    });
  });

  it("refuses, naming the variable, a colour that is not #rrggbb or contrasts too little with white", () => {
    expect(() => load({ BRAND_COLOR: "blue" })).toThrow(/^BRAND_COLOR must be a colour as #rrggbb \(got "blue"\)$/);
    expect(() => load({ BRAND_COLOR: "#60a5fa" })).toThrow(/^BRAND_COLOR must contrast with white at least 4\.5:1/);
    expect(contrastWithWhite("#1d4ed8")).toBeGreaterThan(4.5);
    expect(contrastWithWhite("#000000")).toBeCloseTo(21, 5);
  });

  it("refuses a link path that is a URL or protocol-relative", () => {
    expect(() => load({ VERIFY_EMAIL_LINK_PATH: "https://evil.test/v" })).toThrow(
      /^VERIFY_EMAIL_LINK_PATH must be a path/,
    );
    expect(() => load({ RESET_PASSWORD_LINK_PATH: "//evil.test/r" })).toThrow(
      /^RESET_PASSWORD_LINK_PATH must be a path/,
    );
    expect(() => load({ BRAND_LOGO_URL: "javascript:alert(1)" })).toThrow(/BRAND_LOGO_URL/);
  });
});

describe("OAUTH_PROVIDERS with the hosted pages", () => {
  const ACME = {
    OAUTH_PROVIDERS: "acme",
    OAUTH_ACME_CLIENT_ID: "gatehouse",
    OAUTH_ACME_CLIENT_SECRET: "acme-secret",
    OAUTH_ACME_ISSUER: "https://id.acme.example",
  };

  it("needs no allow-list while the pages, which receive their own result, are on", () => {
    const { federation } = load(ACME);
    expect(federation.providers.map((provider) => provider.name)).toEqual(["acme"]);
    expect(federation.allowedRedirectUris).toEqual([]);
  });

  it("still needs one with PAGES_ENABLED=false: no app could receive the result", () => {
    expect(() => load({ ...ACME, PAGES_ENABLED: "false" })).toThrow(/OAUTH_ALLOWED_REDIRECT_URIS is required/);
  });
});
