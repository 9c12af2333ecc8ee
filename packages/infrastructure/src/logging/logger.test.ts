import { Writable } from "node:stream";
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { loggerOptions, safeError } from "./logger.js";

function capture() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  const { transport: _none, ...options } = loggerOptions({ level: "info", pretty: false });
  return { logger: pino(options, stream), lines };
}

// Regression: a failed INSERT logged Drizzle's "Failed query … params: …,$argon2id$…" in full.
describe("logging errors", () => {
  it("keeps SQL parameters (hashes, emails, tokens) out of logged errors", () => {
    const driverError = Object.assign(new Error('new row violates check constraint "users_status_check"'), {
      code: "23514",
      parameters: ["ada@example.com", "$argon2id$v=19$secret"],
    });
    const queryError = Object.assign(
      new Error('Failed query: insert into "users" values ($1, $2)\nparams: ada@example.com,$argon2id$v=19$secret', {
        cause: driverError,
      }),
      { params: ["ada@example.com", "$argon2id$v=19$secret"] },
    );
    const { logger, lines } = capture();
    logger.error({ err: queryError }, "unhandled error");
    const line = lines.join("");
    expect(line).not.toContain("argon2id");
    expect(line).not.toContain("ada@example.com");
    expect(line).toContain("Failed query: insert into");
    expect(line).toContain("23514");
    expect(safeError(queryError).cause?.message).toBe('new row violates check constraint "users_status_check"');
  });

  it("redacts secrets in logged objects", () => {
    const { logger, lines } = capture();
    logger.info({ body: { password: "Correct-Horse-9", refresh_token: "abc" } }, "oops");
    expect(lines.join("")).not.toMatch(/Correct-Horse-9|"abc"/);
  });
});
