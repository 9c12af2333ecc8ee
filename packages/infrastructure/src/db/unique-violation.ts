/**
 * The constraint a unique violation (SQLSTATE 23505) hit, or undefined for any other error.
 * Drizzle wraps driver errors, and the drivers name the constraint differently.
 */
export function violatedUniqueConstraint(error: unknown): string | undefined {
  for (let current: unknown = error; current instanceof Error; current = current.cause) {
    const candidate = current as Error & { code?: string; constraint_name?: string; constraint?: string };
    if (candidate.code === "23505") return candidate.constraint_name ?? candidate.constraint ?? "";
  }
  return undefined;
}
