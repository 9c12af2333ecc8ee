/** A query-string number already matched by the schema's digit pattern. */
export const integerOr = (value: string | undefined, fallback: number) =>
  value === undefined ? fallback : Number(value);

/** A query-string boolean already matched by the schema's "true"/"false" enum. */
export const booleanOf = (value: "true" | "false" | undefined) => (value === undefined ? undefined : value === "true");
