import { openApiDocument } from "@gatehouse/api";
import { createConfig, lintFromString } from "@redocly/openapi-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "./support/test-server.js";

/**
 * The served OpenAPI document through Redocly's linter with its `recommended` rules: a client
 * generator trips over what it reports as an error, so none may remain. Warnings are printed,
 * not failed on.
 */
interface Operation {
  readonly security?: unknown;
  readonly tags?: string[];
  readonly responses: Record<string, { readonly headers?: Record<string, unknown> }>;
}
interface Document {
  readonly info: { readonly version: string; readonly license?: { readonly name: string } };
  readonly servers?: unknown[];
  readonly tags: Array<{ readonly name: string }>;
  readonly paths: Record<string, Record<string, Operation>>;
  readonly components: { readonly schemas: Record<string, unknown> };
}

/** Every object in `value`, with its JSON pointer. */
function* objectsIn(value: unknown, pointer = ""): Generator<[string, object]> {
  if (typeof value !== "object" || value === null) return;
  yield [pointer, value];
  for (const [key, child] of Object.entries(value)) yield* objectsIn(child, `${pointer}/${key}`);
}

/** The schema of an operation's JSON answer with this status. */
function answerSchema(operation: Operation | undefined, status: string): unknown {
  const response = operation?.responses[status] as { content?: Record<string, { schema?: unknown }> } | undefined;
  return response?.content?.["application/json"]?.schema;
}

describe("OpenAPI document, linted", () => {
  let t: TestServer;
  let source: string;
  let document: Document;
  beforeAll(async () => {
    t = await startTestServer();
    const response = await t.app.inject({ method: "GET", url: "/openapi.json" });
    source = response.body;
    document = response.json() as Document;
  });
  afterAll(async () => {
    await t.close();
  });

  it("has no error under Redocly's recommended rules", async () => {
    const config = await createConfig({ extends: ["recommended"] });
    const problems = await lintFromString({ source, absoluteRef: "openapi.json", config });
    const describe = (p: (typeof problems)[number]) => `${p.ruleId} ${p.location[0]?.pointer ?? ""}: ${p.message}`;
    const warnings = problems.filter((p) => p.severity === "warn");
    if (warnings.length > 0) console.warn(`redocly: ${warnings.length} warnings\n${warnings.map(describe).join("\n")}`);
    expect(problems.filter((p) => p.severity === "error").map(describe)).toEqual([]);
  });

  it("has a licence, servers and one tag list without duplicates that names every operation's tags", () => {
    expect(document.info.license?.name).toBe("MIT");
    expect(document.servers?.length).toBeGreaterThan(0);
    const names = document.tags.map((tag) => tag.name);
    expect(new Set(names).size).toBe(names.length);
    for (const [path, methods] of Object.entries(document.paths)) {
      for (const [method, operation] of Object.entries(methods)) {
        for (const tag of operation.tags ?? []) expect(names, `${method} ${path} tag ${tag}`).toContain(tag);
      }
    }
  });

  // Regression: every schema was written inline, so a client generator emitted one anonymous
  // type per operation and no `User` or `TokenPair` a caller could name.
  it("names its shared schemas as components and refers to them instead of repeating them inline", () => {
    const { schemas } = document.components;
    for (const name of ["User", "TokenPair", "LoginResult", "Role", "Permission", "Session", "AuditEntry", "Error"]) {
      expect(schemas[name], name).toBeDefined();
    }
    const data = (operation: Operation | undefined, status = "200") =>
      (answerSchema(operation, status) as { properties?: { data?: unknown } } | undefined)?.properties?.data;
    expect(data(document.paths["/api/v1/auth/me"]?.get)).toEqual({ $ref: "#/components/schemas/User" });
    expect(data(document.paths["/api/v1/auth/refresh"]?.post)).toEqual({ $ref: "#/components/schemas/TokenPair" });
    expect(data(document.paths["/api/v1/admin/roles"]?.get)).toEqual({
      type: "array",
      items: { $ref: "#/components/schemas/Role" },
    });
    expect(answerSchema(document.paths["/api/v1/auth/login"]?.post, "401")).toEqual({
      $ref: "#/components/schemas/Error",
    });
    const named = new Map(Object.entries(schemas).map(([name, schema]) => [JSON.stringify(schema), name]));
    const inlined = [...objectsIn({ paths: document.paths, components: schemas })]
      .filter(([pointer, object]) => !/^\/components\/[^/]+$/.test(pointer) && named.has(JSON.stringify(object)))
      .map(([pointer, object]) => `${pointer} repeats ${named.get(JSON.stringify(object))}`);
    expect(inlined).toEqual([]);
  });

  it("is the document @gatehouse/client is generated from, for every operation this server serves", async () => {
    const generated = (await openApiDocument(document.info.version)) as unknown as Document;
    for (const [path, methods] of Object.entries(document.paths)) {
      for (const [method, operation] of Object.entries(methods)) {
        expect(generated.paths[path]?.[method], `${method} ${path}`).toEqual(operation);
      }
    }
    expect(generated.components).toEqual(document.components);
    expect(generated.tags).toEqual(document.tags);
  });

  it("says security: [] on public operations and bearer on the others", () => {
    expect(document.paths["/api/v1/auth/login"]?.post?.security).toEqual([]);
    expect(document.paths["/api/v1/auth/register"]?.post?.security).toEqual([]);
    expect(document.paths["/health/live"]?.get?.security).toEqual([]);
    expect(document.paths["/api/v1/auth/me"]?.get?.security).toEqual([{ bearerAuth: [] }]);
    for (const [path, methods] of Object.entries(document.paths)) {
      for (const [method, operation] of Object.entries(methods)) {
        expect(operation.security, `${method} ${path}`).toBeDefined();
      }
    }
  });

  it("documents the rate-limit headers and a 429 with Retry-After on rate-limited routes only", () => {
    const login = document.paths["/api/v1/auth/login"]?.post;
    expect(Object.keys(login?.responses["200"]?.headers ?? {})).toEqual([
      "X-RateLimit-Limit",
      "X-RateLimit-Remaining",
      "X-RateLimit-Reset",
    ]);
    expect(Object.keys(login?.responses["429"]?.headers ?? {})).toContain("Retry-After");
    expect(document.paths["/api/v1/admin/users"]?.get?.responses["429"]).toBeDefined();
    expect(document.paths["/health/live"]?.get?.responses["429"]).toBeUndefined();
    expect(document.paths["/api/v1/health"]?.get?.responses["429"]).toBeUndefined();
  });
});
