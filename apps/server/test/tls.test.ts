import { once } from "node:events";
import { Agent, request } from "node:https";
import { connect, type PeerCertificate } from "node:tls";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ChatClient } from "./support/chat-client.js";
import { type ObservedServer, startObservedServer } from "./support/observed-server.js";
import { TestCertificateAuthority } from "./support/test-certificates.js";
import { uniqueUser } from "./support/test-server.js";

interface Answer {
  readonly status: number;
  readonly body: Record<string, unknown>;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly peer: PeerCertificate;
}

describe("HTTPS with TLS_CERT_PATH / TLS_KEY_PATH", () => {
  const ca = TestCertificateAuthority.create();
  const certPath = ca.path("server.pem");
  const keyPath = ca.path("server.key");
  let t: ObservedServer;
  let port: number;

  /** One HTTPS call verifying the server against the test CA (never `rejectUnauthorized: false`). */
  function call(method: string, path: string, options: { body?: unknown; token?: string; agent?: Agent } = {}) {
    return new Promise<Answer>((resolve, reject) => {
      const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
      const req = request(
        {
          host: "localhost",
          port,
          method,
          path,
          ca: ca.certificate,
          agent: options.agent ?? false,
          headers: {
            ...(payload ? { "content-type": "application/json" } : {}),
            ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
          },
        },
        (response) => {
          const peer = (response.socket as unknown as { getPeerCertificate(): PeerCertificate }).getPeerCertificate();
          let text = "";
          response.setEncoding("utf8");
          response.on("data", (chunk: string) => {
            text += chunk;
          });
          response.on("end", () =>
            resolve({ status: response.statusCode ?? 0, body: JSON.parse(text), headers: response.headers, peer }),
          );
        },
      );
      req.on("error", reject);
      req.end(payload);
    });
  }

  beforeAll(async () => {
    ca.issue("gatehouse-first", certPath, keyPath);
    t = await startObservedServer({ TLS_CERT_PATH: certPath, TLS_KEY_PATH: keyPath });
    await t.app.listen({ host: "127.0.0.1", port: 0 });
    port = (t.app.server.address() as { port: number }).port;
  });
  afterAll(async () => {
    await t.close();
  });

  it("registers, logs in and reads me over HTTPS with the certificate verified", async () => {
    const user = uniqueUser("tls");
    expect((await call("POST", "/api/v1/auth/register", { body: user })).status).toBe(201);
    const login = await call("POST", "/api/v1/auth/login", { body: { email: user.email, password: user.password } });
    expect(login.status).toBe(200);
    expect(login.peer.subject.CN).toBe("gatehouse-first");
    const token = (login.body.data as { access_token: string }).access_token;
    const me = await call("GET", "/api/v1/auth/me", { token });
    expect(me.status).toBe(200);
    expect((me.body.data as { email: string }).email).toBe(user.email);
    expect(me.headers["strict-transport-security"]).toBe("max-age=31536000; includeSubDomains");
  });

  it("carries a chat message over WSS with the certificate verified: authorise, connect to general, send, receive", async () => {
    const user = uniqueUser("wss");
    expect((await call("POST", "/api/v1/auth/register", { body: user })).status).toBe(201);
    const login = await call("POST", "/api/v1/auth/login", { body: { email: user.email, password: user.password } });
    const token = (login.body.data as { access_token: string }).access_token;
    const url = `wss://localhost:${port}/api/v1/chat/ws`;

    // Without the test CA the client refuses the server: verification is on.
    await expect(ChatClient.open(url, { token })).rejects.toThrow(/self[- ]signed|unable to verify|certificate/i);

    const client = await ChatClient.open(url, { token, ca: ca.certificate });
    await client.join("general");
    const content = `over TLS ${Date.now()}`;
    client.send({ type: "message", room_id: "general", content });
    const received = await client.next((frame) => frame.type === "message" && frame.content === content);
    expect(received).toMatchObject({ room_id: "general", content, sender_name: user.username });
    const peer = (client.socket as unknown as { _socket: { getPeerCertificate(): PeerCertificate } })._socket;
    expect(peer.getPeerCertificate().subject.CN).toBe("gatehouse-first");
    client.close();
    await client.closed;
  });

  it("speaks TLS 1.2 or later only", async () => {
    const modern = connect({ host: "127.0.0.1", port, servername: "localhost", ca: ca.certificate });
    await once(modern, "secureConnect");
    expect(["TLSv1.2", "TLSv1.3"]).toContain(modern.getProtocol());
    modern.destroy();
    const old = connect({
      host: "127.0.0.1",
      port,
      servername: "localhost",
      ca: ca.certificate,
      minVersion: "TLSv1",
      maxVersion: "TLSv1.1",
    });
    const [error] = (await once(old, "error")) as [Error];
    expect(error.message).toMatch(/version|protocol/i);
  });

  it("reloads a replaced certificate: new connections see it, an open one carries on", async () => {
    const keepAlive = new Agent({ keepAlive: true, maxSockets: 1 });
    const before = await call("GET", "/health/live", { agent: keepAlive });
    expect(before.peer.subject.CN).toBe("gatehouse-first");

    ca.issue("gatehouse-renewed", certPath, keyPath);
    const deadline = Date.now() + 15_000;
    let fresh = await call("GET", "/health/live");
    while (fresh.peer.subject.CN !== "gatehouse-renewed" && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      fresh = await call("GET", "/health/live");
    }
    expect(fresh.peer.subject.CN).toBe("gatehouse-renewed");
    expect(fresh.status).toBe(200);

    // The connection opened before the renewal is still served, on the certificate it started with.
    const reused = await call("GET", "/health/live", { agent: keepAlive });
    expect(reused.status).toBe(200);
    expect(reused.peer.subject.CN).toBe("gatehouse-first");
    keepAlive.destroy();
  });

  it("reloads on SIGHUP too", async () => {
    ca.issue("gatehouse-after-hangup", certPath, keyPath);
    process.emit("SIGHUP");
    expect((await call("GET", "/health/live")).peer.subject.CN).toBe("gatehouse-after-hangup");
  });
});
