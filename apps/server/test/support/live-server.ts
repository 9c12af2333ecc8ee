import type { AddressInfo } from "node:net";
import { codeIn, type ReceivedMail, TestSmtpServer } from "./smtp-server.js";
import { startTestServer, type TestServer } from "./test-server.js";

export const PUBLIC_BASE_URL = "https://id.example.test";

type Json = Record<string, unknown>;

export interface LiveResponse {
  readonly status: number;
  readonly body: Json;
  readonly headers: Headers;
}

/** A test server listening on a loopback port, with its mail going to a real SMTP server. */
export interface LiveServer {
  readonly t: TestServer;
  readonly smtp: TestSmtpServer;
  readonly baseUrl: string;
  call(method: string, path: string, body?: unknown, token?: string): Promise<LiveResponse>;
  close(): Promise<void>;
}

/**
 * The real composition over real HTTP (fetch to a listening socket), with the production lifecycle defaults
 * (verification on) unless `env` says otherwise, delivering mail to a real SMTP server.
 */
export async function startLiveServer(
  env: Record<string, string> = {},
  kind: "pglite" | "postgres" = "pglite",
): Promise<LiveServer> {
  const smtp = await TestSmtpServer.start();
  const t = await startTestServer(
    {
      REQUIRE_EMAIL_VERIFICATION: "true",
      SMTP_URL: smtp.url,
      MAIL_POLL_INTERVAL_MS: "20",
      PUBLIC_BASE_URL,
      ...env,
    },
    kind,
  );
  await t.app.listen({ port: 0, host: "127.0.0.1" });
  const baseUrl = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
  return {
    t,
    smtp,
    baseUrl,
    async call(method, path, body, token) {
      const headers: Record<string, string> = {};
      if (body !== undefined) headers["content-type"] = "application/json";
      if (token !== undefined) headers.authorization = `Bearer ${token}`;
      const response = await fetch(`${baseUrl}${path}`, {
        method,
        headers,
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      return { status: response.status, body: (await response.json()) as Json, headers: response.headers };
    },
    async close() {
      await t.close();
      await smtp.stop();
    },
  };
}

/** The code and the link token a code mail carries. */
export function secretsIn(mail: ReceivedMail): { code: string; token: string; link: string } {
  const link = new RegExp(`${PUBLIC_BASE_URL}/[a-z-]+\\?token=([A-Za-z0-9_-]+)`).exec(mail.text);
  if (!link?.[1]) throw new Error(`no link in mail: ${mail.text}`);
  return { code: codeIn(mail), token: link[1], link: link[0] };
}
