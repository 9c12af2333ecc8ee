import { CONFIG_VARIABLES, loadConfig, lookalikeVariableWarnings, readDotEnv } from "@gatehouse/infrastructure";
import { type CliCommand, table } from "./command.js";

const SECRET_NAME = /SECRET|PASSWORD|TOKEN(?!_TTL)|PRIVATE_KEY$|_KEY$/;

/** A value as it may be shown: secrets as `****`, a URL's password blanked (DATABASE_URL, REDIS_URL, SMTP_URL). */
export function masked(name: string, value: string): string {
  if (SECRET_NAME.test(name)) return "****";
  try {
    const url = new URL(value);
    if (url.password !== "") {
      url.password = "****";
      return url.toString();
    }
  } catch {
    // Not a URL: shown as it is.
  }
  return value;
}

export const configCheck: CliCommand = {
  name: "config check",
  summary:
    "Validate the environment and print every setting with its source (env, .env, default) and the value in effect",
  async run({ out }) {
    // Throws the first invalid setting, naming it; hears each default it falls back to.
    const defaults = new Map<string, string>();
    const config = loadConfig(process.env, process.cwd(), (name, value) => defaults.set(name, value));
    const dotEnv = readDotEnv(process.cwd());
    const provider = Object.keys(process.env).filter(
      (name) => name.startsWith("OAUTH_") && !CONFIG_VARIABLES.includes(name),
    );
    const settings = [...CONFIG_VARIABLES, ...provider.sort()].map((name) => {
      const fromEnv = process.env[name];
      const value = fromEnv !== undefined && fromEnv !== "" ? fromEnv : dotEnv[name];
      const source = fromEnv !== undefined && fromEnv !== "" ? "env" : value !== undefined ? ".env" : "default";
      const shown = value ?? defaults.get(name);
      return { name, source, value: shown === undefined ? null : masked(name, shown) };
    });
    const warnings = lookalikeVariableWarnings({ ...dotEnv, ...process.env });
    const result = { valid: true, environment: config.appEnv, production: config.production, settings, warnings };
    out.result(result, () =>
      [
        table(
          ["SETTING", "SOURCE", "VALUE"],
          settings.map((s) => [s.name, s.source, s.value ?? "(unset)"]),
        ),
        ...warnings.map((warning) => `warning: ${warning}`),
        `configuration is valid (${config.appEnv}${config.production ? ", production" : ""})`,
      ].join("\n"),
    );
  },
};
