import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { isConfigVariable, lookalikeVariableWarnings } from "./lookalike-variables.js";

const here = (file: string) => new URL(file, import.meta.url);

describe("lookalikeVariableWarnings", () => {
  it("names the intended variable for a misspelt one of ours", () => {
    expect(lookalikeVariableWarnings({ JWT_SECRETS: "x", DATABSE_URL: "y", SMPT_URL: "z" })).toEqual([
      "DATABSE_URL is not a Gatehouse setting and is ignored: did you mean DATABASE_URL?",
      "JWT_SECRETS is not a Gatehouse setting and is ignored: did you mean JWT_SECRET?",
      "SMPT_URL is not a Gatehouse setting and is ignored: did you mean SMTP_URL?",
    ]);
  });

  it("stays silent for our own names and for the shell's and tools' variables", () => {
    const env = {
      JWT_SECRET: "x",
      DATABASE_URL: "y",
      RATE_LIMIT_AUTH_REQUESTS: "30",
      OAUTH_ACME_CLIENT_ID: "a provider named by the operator",
      PATH: "/usr/bin",
      HOME: "/root",
      HOSTNAME: "vm",
      npm_config_user_agent: "pnpm",
      XDG_RUNTIME_DIR: "/run",
      LC_ALL: "C",
      HTTP_PROXY: "http://proxy",
      NODE_OPTIONS: "--x",
      CI: "true",
    };
    expect(lookalikeVariableWarnings(env)).toEqual([]);
  });

  it("knows every variable load-config.ts reads and .env.example documents", () => {
    const sources = ["load-config.ts", "observability-config.ts", "jwt-secret.ts"].map((file) =>
      readFileSync(here(file), "utf8"),
    );
    const read = sources.flatMap((source) => [...source.matchAll(/read\.\w+\("([A-Z][A-Z0-9_]+)"/g)].map((m) => m[1]));
    const example = readFileSync(here("../../../../.env.example"), "utf8");
    const documented = [...example.matchAll(/^#? ?([A-Z][A-Z0-9_]+)=/gm)].map((m) => m[1]);
    expect(read.length).toBeGreaterThan(40);
    expect(documented.length).toBeGreaterThan(40);
    expect([...read, ...documented].filter((name) => !isConfigVariable(name as string))).toEqual([]);
  });
});
