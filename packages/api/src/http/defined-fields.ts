/** `fields` without the keys whose value is undefined. */
export type DefinedFields<T> = { [K in keyof T]?: Exclude<T[K], undefined> };

/**
 * Copies the given fields, leaving out the ones the client did not send: a use-case input
 * never holds `key: undefined`, so a use case that reads a key's presence as "change this
 * field" (an update, an audit diff) sees only what was sent, and "absent" stays distinct
 * from "set to null".
 */
export function definedFields<T extends Record<string, unknown>>(fields: T): DefinedFields<T> {
  const result: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields)) if (value !== undefined) result[key] = value;
  return result as DefinedFields<T>;
}
