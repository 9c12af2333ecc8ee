import { testcontainersEngine } from "./containers.js";
import { pgbouncerBinary, startPgBouncer } from "./pgbouncer.js";
import { type SelectedService, selectTestServices } from "./test-services.js";

function described(service: SelectedService, without: string): string {
  switch (service.source) {
    case "environment":
      return "from the environment";
    case "container":
      return "in a testcontainers container";
    case "none":
      return `none (${without})`;
  }
}

/**
 * vitest `globalSetup`: picks the run's PostgreSQL and Redis once (see test-services.ts),
 * publishes started containers to the test files through the environment, and stops them
 * when the run ends.
 */
export default async function setup(): Promise<() => Promise<void>> {
  const services = await selectTestServices(process.env, testcontainersEngine(process.env));
  Object.assign(process.env, services.env);
  console.info(
    `test services: PostgreSQL ${described(services.postgres, "PGlite only")}, Redis ${described(services.redis, "in-memory only")}`,
  );
  const bouncer = await startBouncerTier(services.postgres.url);
  return async () => {
    await bouncer?.stop();
    await services.stop();
  };
}

/**
 * The PgBouncer tier: with PostgreSQL and Debian's pgbouncer at hand (TEST_PGBOUNCER=off
 * skips it), the contract suites also run through a transaction-mode PgBouncer.
 */
async function startBouncerTier(postgresUrl: string | undefined) {
  const binary = pgbouncerBinary();
  if (postgresUrl === undefined || binary === undefined || process.env.TEST_PGBOUNCER === "off") {
    console.info("test services: PgBouncer tier off (needs PostgreSQL and /usr/sbin/pgbouncer)");
    return undefined;
  }
  const bouncer = await startPgBouncer(postgresUrl, binary);
  process.env.TEST_PGBOUNCER_URL = bouncer.url;
  console.info(`test services: PgBouncer (transaction mode) at ${new URL(bouncer.url).host}`);
  return bouncer;
}
