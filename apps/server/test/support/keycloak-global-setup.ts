import { randomBytes } from "node:crypto";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stopSharedKeycloak } from "./keycloak.js";

/**
 * vitest `globalSetup`: names this run's shared-Keycloak state folder (test files inherit it through
 * the environment) and stops that Keycloak when the run ends. Nothing starts here: the first test
 * file that needs Keycloak starts it, so runs without such a file pay nothing.
 */
export default function setup(): () => void {
  process.env.GH_KEYCLOAK_STATE = join(tmpdir(), `gh-keycloak-${randomBytes(4).toString("hex")}`);
  return stopSharedKeycloak;
}
