import SwaggerParser from "@apidevtools/swagger-parser";
import { CHAT_SOCKET_PATHS, isHostedPageRoute } from "@gatehouse/api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "./support/test-server.js";

interface OpenApiDocument {
  openapi: string;
  paths: Record<
    string,
    Record<
      string,
      {
        security?: unknown;
        tags?: string[];
        description?: string;
        "x-required-permission"?: string;
        responses: Record<string, unknown>;
      }
    >
  >;
}

describe("OpenAPI document", () => {
  let t: TestServer;
  let document: OpenApiDocument;
  beforeAll(async () => {
    t = await startTestServer();
    const response = await t.app.inject({ method: "GET", url: "/openapi.json" });
    expect(response.statusCode).toBe(200);
    document = response.json() as OpenApiDocument;
  });
  afterAll(async () => {
    await t.close();
  });

  it("is a valid OpenAPI 3.0.3 document", async () => {
    expect(document.openapi).toBe("3.0.3");
    await expect(SwaggerParser.validate(structuredClone(document) as never)).resolves.toBeDefined();
  });

  it("documents every registered route, with tags, responses and errors", () => {
    const routes: Array<{ method: string; url: string }> = [];
    const documented = new Set(
      Object.entries(document.paths).flatMap(([path, methods]) =>
        Object.keys(methods).map((m) => `${m.toUpperCase()} ${path}`),
      ),
    );
    for (const route of collectRoutes(t)) routes.push(route);
    // The chat WebSocket is not an HTTP operation OpenAPI 3.0 can describe (README "Chat" does).
    const sockets: readonly string[] = CHAT_SOCKET_PATHS;
    const api = routes.filter(
      (route) =>
        !route.url.startsWith("/swagger-ui") &&
        route.url !== "/openapi.json" &&
        !sockets.includes(route.url) &&
        // The hosted pages are HTML for browsers (README "Hosted pages"), not API operations.
        !isHostedPageRoute(route.url),
    );
    expect(api.length).toBeGreaterThanOrEqual(10);
    for (const route of api) {
      const path = openApiPath(route.url);
      expect(documented, `${route.method} ${route.url}`).toContain(`${route.method} ${path}`);
      const operation = document.paths[path]?.[route.method.toLowerCase()];
      expect(operation?.tags?.length, `${route.method} ${route.url} tags`).toBeGreaterThan(0);
      expect(Object.keys(operation?.responses ?? {})).toContain("500");
    }
  });

  it("marks authenticated routes with bearer security", () => {
    expect(document.paths["/api/v1/auth/me"]?.get?.security).toEqual([{ bearerAuth: [] }]);
    expect(document.paths["/api/v1/auth/login"]?.post?.security).toEqual([]);
  });

  it("shows each guarded route's required permission in its description and x-required-permission", () => {
    const guarded = collectRoutes(t).filter((route) => route.permission !== undefined);
    expect(guarded.length).toBeGreaterThanOrEqual(10);
    for (const route of guarded) {
      const operation = document.paths[openApiPath(route.url)]?.[route.method.toLowerCase()];
      const name = `${route.method} ${route.url}`;
      expect(operation?.["x-required-permission"], name).toBe(route.permission);
      expect(operation?.description, name).toContain(`**Required permission:** \`${route.permission}\``);
      expect(operation?.security, name).toEqual([{ bearerAuth: [] }]);
      expect(Object.keys(operation?.responses ?? {}), name).toEqual(expect.arrayContaining(["401", "403"]));
    }
    expect(document.paths["/api/v1/admin/roles/{id}"]?.delete?.["x-required-permission"]).toBe("roles:delete");
    expect(document.paths["/api/v1/auth/me"]?.get?.["x-required-permission"]).toBeUndefined();
  });

  it("serves Swagger UI", async () => {
    const response = await t.app.inject({ method: "GET", url: "/swagger-ui/" });
    expect(response.statusCode).toBe(200);
    expect(response.headers["content-type"]).toContain("text/html");
  });
});

/** Fastify's `:id` path parameters as OpenAPI's `{id}`. */
function openApiPath(url: string): string {
  return url.replace(/:([A-Za-z_]+)/g, "{$1}");
}

/** Every route the app registered (implicit HEAD routes left out). */
function collectRoutes(t: TestServer): TestServer["app"]["routeTable"] {
  return t.app.routeTable.filter((route) => route.method !== "HEAD" && route.method !== "OPTIONS");
}
