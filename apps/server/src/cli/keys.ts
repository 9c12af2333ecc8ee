import {
  type Config,
  ConfigError,
  loadConfig,
  makeSigningKeyStore,
  newDatabaseKey,
  resolveKeyEncryptionKey,
  retireAfterSeconds,
  type SigningKeyStore,
  type StoredSigningKey,
} from "@gatehouse/infrastructure";
import { openAdapters } from "../wiring/adapters.js";
import type { CliCommand } from "./command.js";

function describe(key: StoredSigningKey): string {
  const at = (date: Date | null) => (date === null ? "-" : date.toISOString());
  return [key.kid, key.algorithm, key.state, at(key.createdAt), at(key.activatedAt), at(key.retireAfter)].join("  ");
}

/** The rotation itself, apart from the process around it (the tests call it on their database). */
export async function rotateSigningKey(
  config: Config,
  store: SigningKeyStore,
  encryptionKey: Uint8Array,
  now: Date,
): Promise<string> {
  if (config.jwt.algorithm === "HS256") throw new ConfigError("keys rotate needs JWT_ALGORITHM EdDSA or ES256");
  await store.retireDue(now);
  const retireAfter = new Date(now.getTime() + retireAfterSeconds(config.jwt) * 1000);
  const next = await newDatabaseKey(encryptionKey, config.jwt.algorithm);
  const { active, previous } = await store.rotate(next, now, retireAfter);
  const lines = [`${active.kid} (${active.algorithm}) signs new tokens`];
  if (previous !== undefined) lines.push(`${previous.kid} verifies until ${retireAfter.toISOString()}, then retires`);
  return `${lines.join("\n")}\n`;
}

/** Every key, newest first, one line each. */
export async function listSigningKeys(store: SigningKeyStore): Promise<string> {
  const keys = await store.list();
  if (keys.length === 0) return "no signing keys in the database (the server generates one at its first start)\n";
  return `kid  algorithm  state  created  activated  retire_after\n${keys.map(describe).join("\n")}\n`;
}

async function withStore(work: (store: SigningKeyStore, config: Config) => Promise<string>): Promise<void> {
  const config = loadConfig();
  if (config.jwt.keySource !== "database") {
    throw new ConfigError(
      `the signing keys come from ${config.jwt.keySource === "file" ? "JWT_PRIVATE_KEY_FILE" : "JWT_SECRET (HS256)"}, not the database`,
    );
  }
  const adapters = await openAdapters({ ...config, autoMigrate: true });
  try {
    process.stdout.write(await work(makeSigningKeyStore(adapters.database.db), config));
  } finally {
    await adapters.close();
  }
}

export const keysRotate: CliCommand = {
  name: "keys rotate",
  summary:
    "Generate a new database signing key (JWT_ALGORITHM): it signs from now on (other nodes pick it up within " +
    "JWT_KEYS_RELOAD_SECONDS); the previous key verifies until the longest access token it signed has expired",
  run: () =>
    withStore((store, config) => {
      const { key } = resolveKeyEncryptionKey(config.jwt.keyEncryptionKey, config.dataDir);
      return rotateSigningKey(config, store, key, new Date());
    }),
};

export const keysList: CliCommand = {
  name: "keys list",
  summary: "List the database signing keys: kid, algorithm, state, created, activated, retire after",
  run: () => withStore((store) => listSigningKeys(store)),
};
