import type { StartedTestContainer } from "testcontainers";
import { type ContainerEngine, dockerEngineAnswers, type StartedService } from "./test-services.js";

// First runs pull the images; later ones start in seconds.
const STARTUP_TIMEOUT_MS = 180_000;

function stopping(container: StartedTestContainer): () => Promise<void> {
  return async () => {
    await container.stop();
  };
}

/**
 * The real middle branch of the selection: postgres:15 and redis:7 through testcontainers,
 * loaded only once Docker has answered, so runs without Docker never pay for the import.
 * Untested on the machine this was built on (no Docker engine); the selection around it is
 * unit-tested with a fake engine.
 */
export function testcontainersEngine(env: NodeJS.ProcessEnv): ContainerEngine {
  return {
    answers: () => dockerEngineAnswers(env),
    async startPostgres(): Promise<StartedService> {
      const { GenericContainer, Wait } = await import("testcontainers");
      const container = await new GenericContainer("postgres:15")
        .withEnvironment({ POSTGRES_USER: "postgres", POSTGRES_PASSWORD: "gatehouse-test", POSTGRES_DB: "postgres" })
        .withExposedPorts(5432)
        // The official image logs this twice: once for its init server, once for the real one.
        .withWaitStrategy(Wait.forLogMessage(/database system is ready to accept connections/, 2))
        .withStartupTimeout(STARTUP_TIMEOUT_MS)
        .start();
      const url = `postgres://postgres:gatehouse-test@${container.getHost()}:${container.getMappedPort(5432)}/postgres`;
      return { url, stop: stopping(container) };
    },
    async startRedis(): Promise<StartedService> {
      const { GenericContainer, Wait } = await import("testcontainers");
      const container = await new GenericContainer("redis:7")
        .withExposedPorts(6379)
        .withWaitStrategy(Wait.forLogMessage("Ready to accept connections"))
        .withStartupTimeout(STARTUP_TIMEOUT_MS)
        .start();
      return { url: `redis://${container.getHost()}:${container.getMappedPort(6379)}`, stop: stopping(container) };
    },
  };
}
