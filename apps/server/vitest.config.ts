import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // PostgreSQL and Redis: from the environment, else Docker containers, else embedded.
    globalSetup: ["@gatehouse/infrastructure/testing/global-setup", "./test/support/keycloak-global-setup.ts"],
  },
});
