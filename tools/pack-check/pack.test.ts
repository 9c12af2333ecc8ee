import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// What another team does with the two library packages: pack them, install the tarballs into an
// empty project (no workspace, no registry: the tarballs hold everything, domain has no
// dependencies), compile a consumer with tsc and run it.
const repoRoot = fileURLToPath(new URL("../../", import.meta.url));
const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");

/** The pnpm running this test (turbo under `pnpm test`), else the pinned one through npx. */
function pnpm(args: string[], cwd: string): string {
  const execPath = process.env.npm_execpath;
  if (execPath?.includes("pnpm")) return execFileSync(process.execPath, [execPath, ...args], { cwd, encoding: "utf8" });
  return execFileSync("npx", ["--yes", "pnpm@10.34.8", ...args], { cwd, encoding: "utf8" });
}

const CONSUMER = `import { DomainError, type User, type AccountStatus } from "@gatehouse/domain";
import { type LogInDeps, makeLogIn } from "@gatehouse/application";
import { FakeClock, FakePasswordHasher, InMemoryDatabase } from "@gatehouse/application/testing";

export type Status = AccountStatus;
export function describeUser(user: Pick<User, "id" | "email">): string {
  return user.id + " " + user.email;
}
export const factory: (deps: LogInDeps) => unknown = makeLogIn;
const error = new DomainError("VALIDATION_ERROR", "bad input");
console.log(JSON.stringify({
  makeLogIn: typeof makeLogIn,
  error: error.code,
  fakes: [typeof FakeClock, typeof FakePasswordHasher, typeof InMemoryDatabase],
}));
`;

describe("the packed @gatehouse/domain and @gatehouse/application", () => {
  let scratch: string;
  beforeAll(() => {
    scratch = mkdtempSync(join(tmpdir(), "gh-pack-"));
    const tarballs = join(scratch, "tarballs");
    mkdirSync(tarballs);
    for (const name of ["domain", "application"]) {
      pnpm(["pack", "--pack-destination", tarballs], join(repoRoot, "packages", name));
    }
    const project = join(scratch, "consumer");
    mkdirSync(project);
    writeFileSync(join(project, "package.json"), JSON.stringify({ name: "consumer", private: true, type: "module" }));
    const files = readdirSync(tarballs).map((file) => join(tarballs, file));
    execFileSync("npm", ["install", "--offline", "--no-audit", "--no-fund", "--ignore-scripts", ...files], {
      cwd: project,
      encoding: "utf8",
    });
    writeFileSync(join(project, "consumer.ts"), CONSUMER);
  }, 240_000);
  afterAll(() => {
    rmSync(scratch, { recursive: true, force: true });
  });

  it("ship dist with types, the LICENSE and no source or build info", () => {
    const listing = readdirSync(join(scratch, "consumer", "node_modules", "@gatehouse", "application"));
    expect(listing.sort()).toEqual(["LICENSE", "README.md", "dist", "package.json"]);
    const dist = readdirSync(join(scratch, "consumer", "node_modules", "@gatehouse", "application", "dist"));
    expect(dist).toContain("index.d.ts");
    expect(dist).toContain("testing");
    expect(dist).not.toContain(".tsbuildinfo");
  });

  it("compile under strict NodeNext with tsc, library types checked, and run", { timeout: 120_000 }, () => {
    const project = join(scratch, "consumer");
    writeFileSync(
      join(project, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: {
          target: "ES2023",
          module: "NodeNext",
          moduleResolution: "NodeNext",
          strict: true,
          skipLibCheck: false,
          types: [],
          outDir: "out",
        },
        files: ["consumer.ts"],
      }),
    );
    execFileSync(process.execPath, [tsc, "-p", "tsconfig.json"], { cwd: project, encoding: "utf8" });
    const output = execFileSync(process.execPath, ["out/consumer.js"], { cwd: project, encoding: "utf8" });
    expect(JSON.parse(output)).toEqual({
      makeLogIn: "function",
      error: "VALIDATION_ERROR",
      fakes: ["function", "function", "function"],
    });
  });

  it("fail to compile a typo in an imported name (the check can fail)", { timeout: 120_000 }, () => {
    const project = join(scratch, "consumer");
    writeFileSync(join(project, "typo.ts"), 'import { makeLogon } from "@gatehouse/application";\nmakeLogon;\n');
    let failure = "";
    try {
      execFileSync(
        process.execPath,
        [tsc, "--noEmit", "--module", "NodeNext", "--moduleResolution", "NodeNext", "typo.ts"],
        {
          cwd: project,
          encoding: "utf8",
        },
      );
    } catch (error) {
      failure = String((error as { stdout?: string }).stdout);
    }
    expect(failure).toMatch(/makeLogon/);
  });

  it("load from CommonJS through require(esm) on Node 20.19+", () => {
    const output = execFileSync(
      process.execPath,
      [
        "-e",
        'const d = require("@gatehouse/domain"); const a = require("@gatehouse/application"); console.log(typeof a.makeLogIn, typeof d.DomainError)',
      ],
      { cwd: join(scratch, "consumer"), encoding: "utf8", env: { ...process.env, NODE_NO_WARNINGS: "1" } },
    );
    expect(output.trim()).toBe("function function");
  });
});
