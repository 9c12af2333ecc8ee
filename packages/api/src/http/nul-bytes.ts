import { type FieldIssue, validationError } from "@gatehouse/domain";
import type { FastifyRequest } from "fastify";

const NUL = "\u0000";

/** The path of the first string holding a NUL byte inside `value`, if any. */
function nulPath(value: unknown, path: string): string | undefined {
  if (typeof value === "string") return value.includes(NUL) ? path : undefined;
  if (typeof value !== "object" || value === null) return undefined;
  for (const [key, inner] of Object.entries(value)) {
    if (key.includes(NUL)) return path === "" ? "(key)" : path;
    const found = nulPath(inner, path === "" ? key : `${path}.${key}`);
    if (found !== undefined) return found;
  }
  return undefined;
}

/**
 * Refuses a NUL byte anywhere in the body, the query or the path parameters of any route, in
 * one place before schema validation: PostgreSQL cannot store it in a text column, so without
 * this check it reached the database and answered 500.
 */
export async function refuseNulBytes(request: FastifyRequest): Promise<void> {
  const issues: FieldIssue[] = [];
  for (const part of [request.params, request.query, request.body]) {
    const field = nulPath(part, "");
    if (field !== undefined)
      issues.push({ field: field === "" ? "(value)" : field, message: "must not contain NUL bytes" });
  }
  if (issues.length > 0) throw validationError(issues);
}
