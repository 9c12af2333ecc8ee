import { describe, expect, it } from "vitest";
import { classifyStatement } from "./db-query-metrics.js";

describe("classifyStatement", () => {
  it.each([
    ['select "id", "email" from "users" where "users"."id" = $1', "select", "users"],
    ['insert into "refresh_tokens" ("id") values ($1)', "insert", "refresh_tokens"],
    ['update "users" set "status" = $1 where "id" = $2', "update", "users"],
    ['delete from "one_time_codes" where "expires_at" < $1', "delete", "one_time_codes"],
    ['WITH due AS (SELECT id FROM "mail_outbox" LIMIT 5) UPDATE "mail_outbox" SET x = 1', "update", "mail_outbox"],
    ["SELECT 1", "select", "other"],
    ["begin", "other", "other"],
  ] as const)("%s → %s on %s", (text, operation, table) => {
    expect(classifyStatement(text)).toEqual({ operation, table });
  });

  it("never labels a table outside the schema, whatever the text names", () => {
    expect(classifyStatement(`select * from "t_${Math.random().toString(36).slice(2)}"`).table).toBe("other");
  });
});
