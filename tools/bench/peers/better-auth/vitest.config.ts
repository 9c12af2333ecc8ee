import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["src/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // PostgreSQL from the environment (or a container), like the repository suites.
    globalSetup: ["@gatehouse/infrastructure/testing/global-setup"],
  },
});
