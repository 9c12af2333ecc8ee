import { randomBytes, randomUUID } from "node:crypto";
import { type Database, tables } from "@gatehouse/infrastructure";
import { createTestDatabase, type TestDatabase } from "@gatehouse/infrastructure/testing";
import { afterAll, beforeAll, beforeEach } from "vitest";
import { runWorker, type WorkerIo, type WorkerOptions } from "../src/run-worker.js";

const DAY_MS = 86_400_000;

/** A describe title that says why the block is skipped when no PostgreSQL is configured. */
export function postgresTitle(title: string, serverUrl: string | undefined): string {
  return serverUrl === undefined ? `${title} (skipped: TEST_DATABASE_URL is not set)` : title;
}

export const daysAgo = (days: number): Date => new Date(Date.now() - days * DAY_MS);
export const daysFromNow = (days: number): Date => new Date(Date.now() + days * DAY_MS);

export interface CapturedIo {
  readonly io: WorkerIo;
  readonly stdout: string[];
  readonly stderr: string[];
}

/** A WorkerIo that keeps the lines the worker writes. */
export function captureIo(): CapturedIo {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { io: { out: (line) => stdout.push(line), err: (line) => stderr.push(line) }, stdout, stderr };
}

/** Runs the worker with captured output; resolves the exit code and the lines written. */
export async function runCaptured(argv: readonly string[], env: NodeJS.ProcessEnv, options: WorkerOptions) {
  const captured = captureIo();
  const code = await runWorker(argv, env, captured.io, options);
  return { code, ...captured };
}

/** The single JSON line a run printed, parsed. */
export function summaryOf(captured: { readonly stdout: readonly string[] }): Record<string, unknown> {
  if (captured.stdout.length !== 1) throw new Error(`expected one stdout line, got ${captured.stdout.length}`);
  return JSON.parse(captured.stdout[0] ?? "") as Record<string, unknown>;
}

export async function insertUser(db: Database, name: string): Promise<string> {
  const [row] = await db
    .insert(tables.users)
    .values({ username: name, email: `${name}@example.com`, passwordHash: "not-a-real-hash" })
    .returning({ id: tables.users.id });
  if (row === undefined) throw new Error("insert returned no row");
  return row.id;
}

export interface TokenTimes {
  readonly expiresAt: Date;
  readonly revokedAt?: Date;
}

export async function insertToken(db: Database, userId: string, times: TokenTimes): Promise<string> {
  const [row] = await db
    .insert(tables.refreshTokens)
    .values({
      userId,
      familyId: randomUUID(),
      tokenHash: randomBytes(32).toString("hex"),
      expiresAt: times.expiresAt,
      revokedAt: times.revokedAt ?? null,
      revokedReason: times.revokedAt === undefined ? null : "rotated",
    })
    .returning({ id: tables.refreshTokens.id });
  if (row === undefined) throw new Error("insert returned no row");
  return row.id;
}

export async function insertAudit(db: Database, timestamp: Date): Promise<string> {
  const [row] = await db
    .insert(tables.auditLogs)
    .values({ timestamp, action: "auth.login", resourceType: "user" })
    .returning({ id: tables.auditLogs.id });
  if (row === undefined) throw new Error("insert returned no row");
  return row.id;
}

/** Which of `ids` are still in the table, sorted. */
export async function survivingTokens(db: Database, ids: readonly string[]): Promise<string[]> {
  const rows = await db.select({ id: tables.refreshTokens.id }).from(tables.refreshTokens);
  return rows
    .map((row) => row.id)
    .filter((id) => ids.includes(id))
    .sort();
}

export async function survivingAudit(db: Database, ids: readonly string[]): Promise<string[]> {
  const rows = await db.select({ id: tables.auditLogs.id }).from(tables.auditLogs);
  return rows
    .map((row) => row.id)
    .filter((id) => ids.includes(id))
    .sort();
}

export async function emptyTables(db: Database): Promise<void> {
  await db.delete(tables.mailOutbox);
  await db.delete(tables.userRoles);
  await db.delete(tables.auditLogs);
  await db.delete(tables.refreshTokens);
  await db.delete(tables.users);
}

export interface Deferred {
  readonly promise: Promise<void>;
  resolve(): void;
}

export function deferred(): Deferred {
  let resolve: () => void = () => {};
  const promise = new Promise<void>((done) => {
    resolve = done;
  });
  return { promise, resolve: () => resolve() };
}

/**
 * A private database for the surrounding describe block, emptied (`emptyTables`) before each
 * test. Read `database` and `db` inside tests and hooks: they are set by `beforeAll`.
 */
export function suiteDatabase(kind: "pglite" | "postgres"): { readonly database: TestDatabase; readonly db: Database } {
  let database: TestDatabase | undefined;
  beforeAll(async () => {
    database = await createTestDatabase(kind);
  });
  afterAll(async () => {
    await database?.drop();
  });
  beforeEach(async () => {
    if (database) await emptyTables(database.handle.db);
  });
  return {
    get database() {
      if (database === undefined) throw new Error("suiteDatabase used outside a test");
      return database;
    },
    get db() {
      return this.database.handle.db;
    },
  };
}
