import { defineConfig } from "drizzle-kit";

export default defineConfig({
  dialect: "postgresql",
  schema: [
    "./src/db/schema.ts",
    "./src/db/schema-chat.ts",
    "./src/db/schema-sign-in.ts",
    "./src/db/schema-keycloak.ts",
    "./src/db/schema-mfa.ts",
    "./src/db/schema-webauthn.ts",
    "./src/db/schema-rate-limit.ts",
  ],
  out: "../../migrations",
});
