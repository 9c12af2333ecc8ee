import { testcontainersEngine } from "./containers.js";
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
  return services.stop;
}
