import { Type } from "typebox";
import { describe, expect, it } from "vitest";
import { componentSchemas, referenceComponents } from "./component-docs.js";

const Status = Type.Union([Type.Literal("active"), Type.Literal("suspended")], { $id: "Status" });
const Person = Type.Object({ name: Type.String(), status: Status }, { $id: "Person", description: "Someone" });
const Page = Type.Object({ items: Type.Array(Person) }, { $id: "Page" });

describe("named components in the OpenAPI document", () => {
  it("refers to every named schema in a route schema, itself included, keeping its description", () => {
    expect(referenceComponents({ 200: Type.Object({ data: Page }), 201: Person })).toEqual({
      200: {
        type: "object",
        required: ["data"],
        properties: { data: { $ref: "#/definitions/Page" } },
      },
      201: { $ref: "#/definitions/Person", description: "Someone" },
    });
  });

  it("leaves a schema without named parts as it is", () => {
    const plain = Type.Object({ n: Type.Integer({ minimum: 0 }), tags: Type.Array(Type.String()) });
    expect(referenceComponents(plain)).toEqual(plain);
  });

  it("lists each component by its $id, referring to the components nested in it", () => {
    const components = componentSchemas([Status, Person, Page]);
    expect(Object.keys(components)).toEqual(["Status", "Person", "Page"]);
    expect(components.Person).toEqual({
      type: "object",
      required: ["name", "status"],
      properties: { name: { type: "string" }, status: { $ref: "#/definitions/Status" } },
      description: "Someone",
    });
    expect(components.Page).toEqual({
      type: "object",
      required: ["items"],
      // The description beside the reference is what a response takes as its own; nested, the
      // OpenAPI conversion drops it.
      properties: { items: { type: "array", items: { $ref: "#/definitions/Person", description: "Someone" } } },
    });
  });

  it("refuses a component without an $id, which no reference could name", () => {
    expect(() => componentSchemas([Type.Object({})])).toThrow("$id");
  });
});
