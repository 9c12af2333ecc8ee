import type { TSchema } from "typebox";

/**
 * The reference @fastify/swagger turns into `#/components/schemas/<id>` when it converts a
 * schema to OpenAPI (the JSON Schema `definitions` become the document's components).
 */
function componentRef($id: string, description: unknown): Record<string, string> {
  const ref = { $ref: `#/definitions/${$id}` };
  return typeof description === "string" ? { ...ref, description } : ref;
}

/** The children of `schema`, each with the components in it referenced. */
function withReferencedChildren(schema: object): Record<string, unknown> {
  return Object.fromEntries(Object.entries(schema).map(([key, value]) => [key, referenceComponents(value)]));
}

/**
 * `schema` with every named component in it (a subschema carrying an `$id`, see
 * COMPONENT_SCHEMAS), itself included, replaced by a reference to the component. Routes use
 * the schema objects themselves, whose TypeBox types type the handlers; without this the
 * document would repeat each one inline wherever it is used.
 */
export function referenceComponents(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(referenceComponents);
  if (typeof schema !== "object" || schema === null) return schema;
  const { $id, description } = schema as { $id?: unknown; description?: unknown };
  return typeof $id === "string" ? componentRef($id, description) : withReferencedChildren(schema);
}

/** The `components.schemas` of the document: each named schema, referring to the others by name. */
export function componentSchemas(schemas: readonly TSchema[]): Record<string, object> {
  const components: Record<string, object> = {};
  for (const schema of schemas) {
    const { $id, ...rest } = schema as TSchema & { $id?: unknown };
    if (typeof $id !== "string") throw new Error("a component schema needs an $id");
    components[$id] = withReferencedChildren(rest);
  }
  return components;
}
