import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "./support/test-server.js";

// Regression: @fastify/swagger-ui's static CSP carries `upgrade-insecure-requests`, so over plain
// HTTP on any host but localhost the browser fetched the UI's scripts over HTTPS and showed a
// blank page. Served over real HTTP here; the rest of the policy must stay as strict.
describe("Swagger UI over plain HTTP", () => {
  let t: TestServer;
  let base: string;
  beforeAll(async () => {
    t = await startTestServer();
    await t.app.listen({ host: "127.0.0.1", port: 0 });
    base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await t.close();
  });

  for (const path of ["/swagger-ui/", "/swagger-ui/static/index.html", "/swagger-ui/static/swagger-ui.css"]) {
    it(`serves ${path} with a CSP that does not upgrade insecure requests`, async () => {
      const response = await fetch(`${base}${path}`);
      // Read the body: an unread one keeps the connection busy, and closing the server waits for it.
      await response.arrayBuffer();
      expect(response.status).toBe(200);
      const csp = response.headers.get("content-security-policy") ?? "";
      expect(csp).not.toContain("upgrade-insecure-requests");
      expect(csp).toContain("default-src 'self'");
      expect(csp).toContain("object-src 'none'");
      expect(csp).toMatch(/script-src 'self'/);
    });
  }

  it("leaves the API's own strict CSP alone", async () => {
    const response = await fetch(`${base}/api/v1/health`);
    await response.arrayBuffer();
    expect(response.headers.get("content-security-policy")).toBe(
      "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
    );
  });
});
