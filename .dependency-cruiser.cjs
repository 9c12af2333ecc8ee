/**
 * The layering rule (docs/ARCHITECTURE.md): domain ← application ← api; infrastructure
 * implements domain ports; only apps/* compose. `pnpm lint` fails on a forbidden import.
 * @type {import('dependency-cruiser').IConfiguration}
 */
// Tests may use vitest and node:*; they still may not cross layers (the rules below
// without `pathNot` apply to them too).
const TEST_CODE = "(\\.test\\.ts$|/src/testing/)";

module.exports = {
  forbidden: [
    {
      name: "domain-is-pure",
      comment: "domain depends on nothing: no other layer, no npm package, no Node built-in",
      severity: "error",
      from: { path: "^packages/domain/src", pathNot: TEST_CODE },
      to: { pathNot: "^packages/domain/src" },
    },
    {
      name: "application-depends-on-domain-only",
      comment: "application may import only domain (no framework, no infrastructure, no Node built-ins)",
      severity: "error",
      from: { path: "^packages/application/src", pathNot: TEST_CODE },
      to: { pathNot: ["^packages/(domain|application)/", "^@gatehouse/domain$"] },
    },
    {
      name: "api-never-imports-infrastructure",
      severity: "error",
      from: { path: "^packages/api/" },
      to: {
        path: [
          "^packages/infrastructure/",
          "^@gatehouse/infrastructure",
          "node_modules/(drizzle-orm|postgres|@electric-sql|@node-rs|jose|pino)/",
          "^(drizzle-orm|postgres|@electric-sql/pglite|@node-rs/argon2|jose|pino)($|/)",
        ],
      },
    },
    {
      name: "inner-layer-tests-stay-inner",
      comment: "domain and application tests use fakes, never real adapters or HTTP",
      severity: "error",
      from: { path: "^packages/(domain|application)/src" },
      to: { path: ["^packages/(infrastructure|api)/", "^@gatehouse/(infrastructure|api)", "^(apps|tools)/"] },
    },
    {
      name: "infrastructure-never-imports-upper-layers",
      severity: "error",
      from: { path: "^packages/infrastructure/" },
      to: { path: ["^packages/(application|api)/", "^@gatehouse/(application|api)"] },
    },
    {
      name: "client-speaks-http-only",
      comment:
        "@gatehouse/client reaches the server over HTTP only: at run time it imports no other layer " +
        "(its build script, scripts/generate.mjs, reads the API package's OpenAPI document)",
      severity: "error",
      from: { path: "^packages/client/src" },
      to: { path: ["^packages/(domain|application|infrastructure|api)/", "^@gatehouse/", "^(apps|tools)/"] },
    },
    {
      name: "packages-never-import-apps",
      severity: "error",
      from: { path: "^packages/" },
      to: { path: "^(apps|tools)/" },
    },
    {
      name: "worker-has-no-http",
      severity: "error",
      from: { path: "^apps/worker/" },
      to: { path: ["^packages/api/", "^@gatehouse/api", "node_modules/fastify/", "^fastify"] },
    },
    {
      name: "no-circular",
      severity: "error",
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: ["^(apps|packages|tools)/[^/]+/dist/", "^tools/bench/peers/[^/]+/dist/"] },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.base.json" },
    enhancedResolveOptions: { exportsFields: ["exports"], conditionNames: ["import", "types", "node", "default"] },
    combinedDependencies: true,
  },
};
