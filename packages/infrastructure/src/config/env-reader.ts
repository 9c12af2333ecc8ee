// The reader every part of the configuration parses with, so each start-up error names its
// variable and rule the same way.

/** A configuration problem, phrased as one line naming the variable and the rule. */
export class ConfigError extends Error {
  override readonly name = "ConfigError";
}

export type Env = Readonly<Record<string, string | undefined>>;

/** Hears each default a setting falls back to, so `config check` can show the value in effect. */
export type DefaultObserver = (name: string, value: string) => void;

export class Reader {
  constructor(
    private readonly env: Env,
    private readonly onDefault?: DefaultObserver,
  ) {}

  private fallback<T extends string | number | boolean>(name: string, value: T): T {
    this.onDefault?.(name, String(value));
    return value;
  }

  raw(name: string): string | undefined {
    const value = this.env[name]?.trim();
    return value === undefined || value === "" ? undefined : value;
  }

  rawUntrimmed(name: string): string | undefined {
    const value = this.env[name];
    return value === undefined || value === "" ? undefined : value;
  }

  string(name: string, fallback: string): string {
    return this.raw(name) ?? this.fallback(name, fallback);
  }

  int(name: string, fallback: number, min: number, max: number): number {
    const value = this.raw(name);
    if (value === undefined) return this.fallback(name, fallback);
    const parsed = Number(value);
    if (!/^-?\d+$/.test(value) || parsed < min || parsed > max) {
      throw new ConfigError(`${name} must be an integer from ${min} to ${max} (got "${value}")`);
    }
    return parsed;
  }

  bool(name: string, fallback: boolean): boolean {
    const value = this.raw(name)?.toLowerCase();
    if (value === undefined) return this.fallback(name, fallback);
    if (["true", "1", "yes", "on"].includes(value)) return true;
    if (["false", "0", "no", "off"].includes(value)) return false;
    throw new ConfigError(`${name} must be true or false (got "${value}")`);
  }

  oneOf(name: string, fallback: string, allowed: readonly string[]): string {
    const value = this.raw(name) ?? this.fallback(name, fallback);
    if (!allowed.includes(value))
      throw new ConfigError(`${name} must be one of ${allowed.join(", ")} (got "${value}")`);
    return value;
  }

  list(name: string): string[] {
    return (this.raw(name) ?? "")
      .split(",")
      .map((item) => item.trim())
      .filter((item) => item.length > 0);
  }
}

export function checkUrl(name: string, value: string, protocols: readonly string[]): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(`${name} must be a URL (${protocols.join(" or ")})`);
  }
  if (!protocols.includes(url.protocol)) throw new ConfigError(`${name} must start with ${protocols.join(" or ")}`);
  return value;
}

/** An optional URL; the message never repeats the value, which may hold a password. */
export function optionalUrl(read: Reader, name: string, protocols: readonly string[]): string | undefined {
  const value = read.raw(name);
  return value === undefined ? undefined : checkUrl(name, value, protocols);
}

export function checkOrigins(name: string, origins: string[]): string[] {
  for (const origin of origins) {
    if (origin === "*") continue;
    checkUrl(name, origin, ["http:", "https:"]);
  }
  return origins;
}
