#!/usr/bin/env node
import { createServer } from "node:http";
import { getMigrations } from "better-auth/db/migration";
import { toNodeHandler } from "better-auth/node";
import { makePeerAuth } from "./peer-auth.js";

/** A one-line startup error naming the variable, like the Gatehouse server's config. */
function required(name: string): string {
  const value = process.env[name]?.trim();
  if (value === undefined || value === "") throw new Error(`${name} is required`);
  return value;
}

async function main(): Promise<void> {
  const port = Number(required("PEER_PORT"));
  if (!Number.isInteger(port) || port < 1 || port > 65_535) throw new Error("PEER_PORT must be a TCP port");
  const baseUrl = `http://127.0.0.1:${port}`;
  const poolMax = Number(process.env.PEER_POOL_MAX ?? "10");
  const options = { databaseUrl: required("PEER_DATABASE_URL"), baseUrl, secret: required("PEER_SECRET"), poolMax };
  const { auth, pool } = makePeerAuth(options);
  // Better Auth's own schema (user, session, account, verification) in the peer's database.
  const { runMigrations } = await getMigrations(auth.options);
  await runMigrations();
  const handler = toNodeHandler(auth);
  const server = createServer((request, response) => {
    // The readiness probe the bench polls; everything else is Better Auth's.
    if (request.url === "/ready") {
      response.writeHead(200, { "content-type": "text/plain" }).end("ok");
      return;
    }
    void handler(request, response);
  });
  server.keepAliveTimeout = 30_000;
  server.listen(port, "127.0.0.1");
  const stop = () => {
    server.close();
    server.closeAllConnections();
    void pool.end().finally(() => process.exit(0));
  };
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`better-auth peer: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
