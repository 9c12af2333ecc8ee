import { createCipheriv, pbkdf2, scrypt, timingSafeEqual } from "node:crypto";
import { promisify } from "node:util";
import { verify as argon2Verify } from "@node-rs/argon2";
import { verify as bcryptVerify } from "@node-rs/bcrypt";

const pbkdf2Async = promisify(pbkdf2);
const scryptAsync = promisify(scrypt) as (
  password: string,
  salt: Buffer,
  keylen: number,
  options: { N: number; r: number; p: number; maxmem: number },
) => Promise<Buffer>;

/**
 * Bounds on imported parameters. An imported hash sets the cost of every login to its account
 * (and an unbounded scrypt memory cost could exhaust the process), so an import refuses
 * anything above what a sane system ever produced instead of storing it.
 */
const LIMITS = {
  bcryptCost: { min: 4, max: 16 },
  pbkdf2Iterations: { min: 1_000, max: 5_000_000 },
  scryptMaxMemory: 256 * 1024 * 1024,
  argon2MaxMemoryKiB: 1024 * 1024,
  argon2MaxTime: 20,
  minKeyBytes: 16,
} as const;

/** One hash format that can be recognised (with its parameters checked) and verified. */
interface HashFormat<P> {
  parse(stored: string): P | undefined;
  name(parsed: P): string;
  verify(password: string, stored: string, parsed: P): Promise<boolean>;
  argon2?(parsed: P): Argon2Parameters;
}

/** A format with its parsed value, so the registry verifies what it parsed once. */
export interface RecognisedHash {
  readonly format: string;
  verify(password: string): Promise<boolean>;
  /** The argon2 parameters when it is one: needsRehash compares them with the current ones. */
  readonly argon2: Argon2Parameters | undefined;
}

export interface Argon2Parameters {
  readonly variant: "argon2id" | "argon2i" | "argon2d";
  readonly version: number;
  readonly memoryCost: number;
  readonly timeCost: number;
  readonly parallelism: number;
  readonly outputLen: number;
}

const within = (value: number, range: { min: number; max: number }) =>
  Number.isSafeInteger(value) && value >= range.min && value <= range.max;

/** Standard base64 with or without padding, and passlib's "adapted" base64 ('.' for '+'). */
function decodeBase64(text: string, adapted = false): Buffer | undefined {
  const normal = adapted ? text.replaceAll(".", "+") : text;
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(normal) || normal.length === 0) return undefined;
  return Buffer.from(normal, "base64");
}

/** `k=v,k=v` → numbers; undefined when a value is not a decimal integer. */
function parameters(text: string): Map<string, number> | undefined {
  const values = new Map<string, number>();
  for (const pair of text.split(",")) {
    const match = /^([a-z]+)=(\d{1,10})$/.exec(pair);
    if (match === null) return undefined;
    values.set(match[1] as string, Number(match[2]));
  }
  return values;
}

function sameBytes(expected: Buffer, actual: Buffer): boolean {
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

/** `$argon2id$v=19$m=…,t=…,p=…$salt$hash` (also argon2i and argon2d), any parameters within bounds. */
const argon2: HashFormat<Argon2Parameters> = {
  parse(stored) {
    const parts = stored.split("$");
    const [, variant, version, params, salt, hash] = parts;
    if (parts.length !== 6 || (variant !== "argon2id" && variant !== "argon2i" && variant !== "argon2d")) {
      return undefined;
    }
    const v = /^v=(\d+)$/.exec(version ?? "");
    const values = parameters(params ?? "");
    const saltBytes = decodeBase64(salt ?? "");
    const hashBytes = decodeBase64(hash ?? "");
    const m = values?.get("m");
    const t = values?.get("t");
    const p = values?.get("p");
    if (v === null || m === undefined || t === undefined || p === undefined) return undefined;
    if (saltBytes === undefined || hashBytes === undefined || hashBytes.length < LIMITS.minKeyBytes) return undefined;
    if (m > LIMITS.argon2MaxMemoryKiB || t < 1 || t > LIMITS.argon2MaxTime || p < 1 || p > 16) return undefined;
    return { variant, version: Number(v[1]), memoryCost: m, timeCost: t, parallelism: p, outputLen: hashBytes.length };
  },
  name: (parsed) => parsed.variant,
  verify: (password, stored) => argon2Verify(stored, password).catch(() => false),
  argon2: (parsed) => parsed,
};

/** `$2a$`, `$2b$`, `$2y$` (PHP's name for 2b) with cost and 53 characters of salt and hash. */
const bcrypt: HashFormat<{ cost: number }> = {
  parse(stored) {
    const match = /^\$2[aby]\$(\d\d)\$[./A-Za-z0-9]{53}$/.exec(stored);
    if (match === null) return undefined;
    const cost = Number(match[1]);
    return within(cost, LIMITS.bcryptCost) ? { cost } : undefined;
  },
  name: () => "bcrypt",
  async verify(password, stored) {
    // bcrypt reads only the first 72 bytes: a longer password would match on its prefix alone.
    if (Buffer.byteLength(password, "utf8") > 72) return false;
    return bcryptVerify(password, stored).catch(() => false);
  },
};

interface Pbkdf2Hash {
  readonly digest: "sha256" | "sha512";
  readonly iterations: number;
  readonly salt: Buffer;
  readonly hash: Buffer;
}

/**
 * PBKDF2 in both spellings found in exports: passlib's `$pbkdf2-sha256$29000$<ab64 salt>$<ab64
 * hash>` and Kratos's `$pbkdf2-sha256$i=29000,l=32$<salt>$<hash>` (also `-sha512`).
 */
const pbkdf2Format: HashFormat<Pbkdf2Hash> = {
  parse(stored) {
    const parts = stored.split("$");
    const [, scheme, params, salt, hash] = parts;
    if (parts.length !== 5 || (scheme !== "pbkdf2-sha256" && scheme !== "pbkdf2-sha512")) return undefined;
    const passlib = /^\d{1,10}$/.test(params ?? "");
    const values = passlib ? new Map([["i", Number(params)]]) : parameters(params ?? "");
    const iterations = values?.get("i");
    const saltBytes = decodeBase64(salt ?? "", passlib);
    const hashBytes = decodeBase64(hash ?? "", passlib);
    if (iterations === undefined || !within(iterations, LIMITS.pbkdf2Iterations)) return undefined;
    if (saltBytes === undefined || hashBytes === undefined || hashBytes.length < LIMITS.minKeyBytes) return undefined;
    const length = values?.get("l");
    if (length !== undefined && length !== hashBytes.length) return undefined;
    return { digest: scheme === "pbkdf2-sha256" ? "sha256" : "sha512", iterations, salt: saltBytes, hash: hashBytes };
  },
  name: (parsed) => `pbkdf2-${parsed.digest}`,
  async verify(password, _stored, parsed) {
    const derived = await pbkdf2Async(password, parsed.salt, parsed.iterations, parsed.hash.length, parsed.digest);
    return sameBytes(parsed.hash, derived);
  },
};

interface ScryptParameters {
  readonly N: number;
  readonly r: number;
  readonly p: number;
}

function scryptParameters(N: number | undefined, r: number | undefined, p: number | undefined) {
  if (N === undefined || r === undefined || p === undefined) return undefined;
  // N a power of two above 1; memory is 128·N·r (plus 128·r·p), what node:crypto checks maxmem against.
  if (N < 2 || (N & (N - 1)) !== 0 || r < 1 || p < 1 || p > 16) return undefined;
  if (128 * r * (N + p) > LIMITS.scryptMaxMemory) return undefined;
  return { N, r, p };
}

const runScrypt = (password: string, salt: Buffer, length: number, params: ScryptParameters) =>
  scryptAsync(password, salt, length, { ...params, maxmem: LIMITS.scryptMaxMemory + 1024 * 1024 });

/**
 * Kratos's `$scrypt$ln=<N>,r=<r>,p=<p>$<salt>$<hash>`, standard base64. Kratos reads `ln` as
 * the cost N itself (16384), not as its logarithm: so does this.
 */
const scryptFormat: HashFormat<ScryptParameters & { salt: Buffer; hash: Buffer }> = {
  parse(stored) {
    const parts = stored.split("$");
    const [, scheme, params, salt, hash] = parts;
    if (parts.length !== 5 || scheme !== "scrypt") return undefined;
    const values = parameters(params ?? "");
    const cost = scryptParameters(values?.get("ln"), values?.get("r"), values?.get("p"));
    const saltBytes = decodeBase64(salt ?? "");
    const hashBytes = decodeBase64(hash ?? "");
    if (cost === undefined || saltBytes === undefined || hashBytes === undefined) return undefined;
    if (hashBytes.length < LIMITS.minKeyBytes) return undefined;
    return { ...cost, salt: saltBytes, hash: hashBytes };
  },
  name: () => "scrypt",
  async verify(password, _stored, parsed) {
    return sameBytes(parsed.hash, await runScrypt(password, parsed.salt, parsed.hash.length, parsed));
  },
};

interface FirebaseScrypt extends ScryptParameters {
  readonly salt: Buffer;
  readonly hash: Buffer;
  readonly saltSeparator: Buffer;
  readonly signerKey: Buffer;
}

/**
 * Firebase's modified scrypt as Kratos imports it:
 * `$firescrypt$ln=<mem_cost>,r=<rounds>,p=<p>$<salt>$<hash>$<salt separator>$<signer key>`.
 * The key is scrypt(password, salt‖separator, N = 2^mem_cost, r = rounds, p, 32 bytes); the
 * hash is the project's signer key encrypted with it under AES-256-CTR and a zero counter.
 */
const firebaseScrypt: HashFormat<FirebaseScrypt> = {
  parse(stored) {
    const parts = stored.split("$");
    const [, scheme, params, salt, hash, separator, signerKey] = parts;
    if (parts.length !== 7 || scheme !== "firescrypt") return undefined;
    const values = parameters(params ?? "");
    const memCost = values?.get("ln");
    if (memCost === undefined || memCost < 1 || memCost > 20) return undefined;
    const cost = scryptParameters(2 ** memCost, values?.get("r"), values?.get("p"));
    const decoded = [salt, hash, separator, signerKey].map((part) => decodeBase64(part ?? ""));
    const [saltBytes, hashBytes, separatorBytes, signerKeyBytes] = decoded;
    if (cost === undefined || saltBytes === undefined || hashBytes === undefined) return undefined;
    if (separatorBytes === undefined || signerKeyBytes === undefined) return undefined;
    if (hashBytes.length < LIMITS.minKeyBytes || hashBytes.length !== signerKeyBytes.length) return undefined;
    return { ...cost, salt: saltBytes, hash: hashBytes, saltSeparator: separatorBytes, signerKey: signerKeyBytes };
  },
  name: () => "firescrypt",
  async verify(password, _stored, parsed) {
    const key = await runScrypt(password, Buffer.concat([parsed.salt, parsed.saltSeparator]), 32, parsed);
    const cipher = createCipheriv("aes-256-ctr", key, Buffer.alloc(16));
    const encrypted = Buffer.concat([cipher.update(parsed.signerKey), cipher.final()]);
    return sameBytes(parsed.hash, encrypted);
  },
};

/** A format as an entry of the registry: parse once, verify what was parsed. */
function entry<P>(format: HashFormat<P>) {
  return (stored: string): RecognisedHash | undefined => {
    const parsed = format.parse(stored);
    if (parsed === undefined) return undefined;
    return {
      format: format.name(parsed),
      verify: (password) => format.verify(password, stored, parsed),
      argon2: format.argon2?.(parsed),
    };
  };
}

/** Keyed by prefix in effect: each entry refuses what does not start with its own scheme. */
const REGISTRY = [entry(argon2), entry(bcrypt), entry(pbkdf2Format), entry(scryptFormat), entry(firebaseScrypt)];

/**
 * The verifier registry: the format `stored` is in, parsed and bounds-checked, with the
 * verification that goes with it; undefined for anything else (an unusable hash, garbage).
 */
export function recogniseHash(stored: string): RecognisedHash | undefined {
  for (const recognise of REGISTRY) {
    const recognised = recognise(stored);
    if (recognised !== undefined) return recognised;
  }
  return undefined;
}
