import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Ajv } from "ajv";
import { validate as validateDockerfile } from "dockerfile-utils";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";

// No Docker engine on the machines this is built and tested on: these are the checks that can
// run without one. The compose file is validated against the Compose Specification schema that
// dclint ships (its own copy of compose-spec's compose_spec.json), then linted by dclint; the
// Dockerfile is parsed and validated by dockerfile-utils (the validator of the Docker language
// server). Whether the containers start is untested here; the README says so.
const root = fileURLToPath(new URL("../../", import.meta.url));
const composePath = join(root, "docker", "docker-compose.yml");
const dockerfilePath = join(root, "docker", "Dockerfile");
const require = createRequire(import.meta.url);
const dclintRoot = dirname(require.resolve("dclint/package.json"));

type Json = Record<string, unknown>;
interface Service {
  readonly image?: string;
  readonly build?: unknown;
  readonly environment?: Record<string, string>;
  readonly healthcheck?: { readonly test?: unknown; readonly disable?: boolean };
  readonly depends_on?: Record<string, { condition: string }>;
  readonly volumes?: string[];
  readonly command?: string[];
}

function composeDocument(text = readFileSync(composePath, "utf8")): Json {
  // `merge`: the file shares its environment through a YAML anchor and `<<:`.
  return parse(text, { merge: true }) as Json;
}

function schemaErrors(document: Json): string[] {
  const { $schema: draft, ...schema } = JSON.parse(
    readFileSync(join(dclintRoot, "schemas", "compose.schema.json"), "utf8"),
  ) as Json;
  // Draft-07 (Ajv's default), named by an https URL Ajv does not know; strict off for compose's
  // own annotations (`deprecated`).
  expect(draft).toBe("https://json-schema.org/draft-07/schema");
  const ajv = new Ajv({ allErrors: true, strict: false });
  const check = ajv.compile(schema);
  return check(document) ? [] : (check.errors ?? []).map((error) => `${error.instancePath} ${error.message}`);
}

describe("docker/docker-compose.yml", () => {
  const document = composeDocument();
  const services = document.services as Record<string, Service>;

  it("is valid against the Compose Specification schema", () => {
    expect(schemaErrors(document)).toEqual([]);
  });

  it("would be refused by the schema with a wrong depends_on condition (the check can fail)", () => {
    const broken = readFileSync(composePath, "utf8").replace("condition: service_healthy", "condition: service_ready");
    expect(schemaErrors(composeDocument(broken)).join("\n")).toMatch(/depends_on/);
  });

  it("passes dclint with no error and no warning", () => {
    // dclint.config.json: ports in double quotes, the way biome formats YAML (dclint's default is single).
    const config = fileURLToPath(new URL("dclint.config.json", import.meta.url));
    const output = execFileSync(process.execPath, [join(dclintRoot, "bin", "dclint.cjs"), "-c", config, composePath], {
      encoding: "utf8",
      env: { ...process.env, NO_COLOR: "1" },
    });
    expect(output).not.toMatch(/error|warning/);
  });

  it("wires PostgreSQL, Redis and Mailpit into the server and the worker", () => {
    for (const name of ["server", "worker"]) {
      const env = services[name]?.environment ?? {};
      expect(env.DATABASE_URL, name).toMatch(/^postgres:\/\/[^@]+@db:5432\//);
      expect(env.REDIS_URL, name).toBe("redis://redis:6379");
      expect(env.SMTP_URL, name).toBe("smtp://mailpit:1025");
      expect(env.PUBLIC_BASE_URL, name).toMatch(/^\$\{PUBLIC_BASE_URL:-http:\/\/localhost:8080\}$/);
    }
    expect(services.server?.environment?.JWT_SECRET).toMatch(/^\$\{JWT_SECRET:\?/);
    expect(services.db?.image).toMatch(/^postgres:/);
    expect(services.redis?.image).toMatch(/^redis:/);
    expect(services.mailpit?.image).toMatch(/^axllent\/mailpit:/);
  });

  it("runs the worker on its schedule once the server is healthy", () => {
    expect(services.worker?.command).toEqual(["node", "apps/worker/dist/main.js", "schedule"]);
    expect(services.worker?.depends_on?.server?.condition).toBe("service_healthy");
  });

  it("gives every long-running service a healthcheck and keeps data in named volumes", () => {
    for (const name of ["server", "db", "redis", "mailpit"]) {
      expect(services[name]?.healthcheck?.test, name).toBeDefined();
    }
    for (const [name, dependency] of Object.entries(services.server?.depends_on ?? {})) {
      expect(dependency.condition, name).toBe("service_healthy");
    }
    const named = Object.keys((document.volumes as Json | undefined) ?? {});
    expect(named).toEqual(expect.arrayContaining(["postgres_data", "redis_data"]));
    for (const name of ["db", "redis"]) {
      const [volume] = (services[name]?.volumes?.[0] ?? "").split(":");
      expect(named, name).toContain(volume);
    }
  });
});

describe("docker/Dockerfile", () => {
  const text = readFileSync(dockerfilePath, "utf8");

  it("has no problem dockerfile-utils reports", () => {
    expect(validateDockerfile(text).map((problem) => problem.message)).toEqual([]);
  });

  it("would be reported with an unknown flag (the check can fail)", () => {
    const broken = text.replace("HEALTHCHECK --interval=10s", "HEALTHCHECK --intervall=10s");
    expect(validateDockerfile(broken).map((problem) => problem.message)).toContain("Unknown flag: intervall");
  });

  it("builds on the current Node.js LTS (24) by default", () => {
    expect(text).toMatch(/^ARG NODE_IMAGE=node:24-[a-z]+-slim$/m);
  });
});
