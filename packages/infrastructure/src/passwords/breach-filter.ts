import { createHash } from "node:crypto";
import { createReadStream, readFileSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { createInterface } from "node:readline";
import type { PasswordScreen } from "@gatehouse/domain";

/**
 * A Bloom filter of SHA-1 hashes of breached passwords, built by the operator from a Pwned
 * Passwords download (`gatehouse passwords build-filter`) so the corpus itself is never shipped
 * nor loaded. File format (big-endian), a 32-byte header then the bit array:
 *   0  "GHBF"  magic          4  u8   version (1)   5  u8  k (hash functions)   6  u16 reserved
 *   8  u64  m (bits)         16  u64  n (hashes added)   24  f64 the false-positive rate it was sized for
 *   32 ceil(m / 8) bytes of bits, bit i at byte i >> 3, mask 1 << (i & 7).
 */
export interface BreachFilter {
  readonly bits: number;
  readonly hashes: number;
  readonly count: number;
  readonly fpRate: number;
  /** Whether the SHA-1 (20 bytes) may be in the set: false is certain, true is wrong at about `fpRate`. */
  has(sha1: Buffer): boolean;
}

const MAGIC = "GHBF";
const VERSION = 1;
export const BREACH_FILTER_HEADER_BYTES = 32;
/** Index arithmetic stays exact in doubles while every operand is below 2^48 (see `indexes`). */
const MAX_BITS = 2 ** 48;
const HIBP_LINE = /^([0-9A-Fa-f]{40})(?::\d+)?\s*$/;

/** The optimal size for `count` entries at `fpRate`: m = -n ln p / (ln 2)^2, k = m/n ln 2. */
export function filterSize(count: number, fpRate: number): { bits: number; hashes: number } {
  const n = Math.max(1, count);
  const bits = Math.max(64, Math.ceil((-n * Math.log(fpRate)) / Math.LN2 ** 2));
  if (bits >= MAX_BITS) throw new Error(`a filter for ${count} hashes at ${fpRate} would exceed 2^48 bits`);
  const hashes = Math.min(32, Math.max(1, Math.round((bits / n) * Math.LN2)));
  return { bits, hashes };
}

/**
 * The k bit positions of a SHA-1 by double hashing (Kirsch–Mitzenmacher): the hash is already
 * uniform, so two 48-bit slices of it serve as h1 and h2, reduced mod m before adding so that no
 * intermediate leaves the exact range of a double.
 */
function* indexes(sha1: Buffer, bits: number, hashes: number): Generator<number> {
  const a = sha1.readUIntBE(0, 6) % bits;
  const b = sha1.readUIntBE(6, 6) % bits || 1;
  let index = a;
  for (let i = 0; i < hashes; i += 1) {
    yield index;
    index = (index + b) % bits;
  }
}

function makeFilter(bits: number, hashes: number, array: Uint8Array, header: { count: number; fpRate: number }) {
  const filter: BreachFilter & { add(sha1: Buffer): void; count: number } = {
    bits,
    hashes,
    count: header.count,
    fpRate: header.fpRate,
    has(sha1) {
      for (const i of indexes(sha1, bits, hashes)) {
        if (((array[i >> 3] as number) & (1 << (i & 7))) === 0) return false;
      }
      return true;
    },
    add(sha1) {
      for (const i of indexes(sha1, bits, hashes)) array[i >> 3] = (array[i >> 3] as number) | (1 << (i & 7));
    },
  };
  return filter;
}

/** The SHA-1 hex of each "SHA1[:count]" line of a HIBP download, streamed line by line. */
async function* hashesIn(input: string, limit: number | undefined): AsyncGenerator<Buffer> {
  const lines = createInterface({ input: createReadStream(input), crlfDelay: Number.POSITIVE_INFINITY });
  let seen = 0;
  let lineNumber = 0;
  for await (const line of lines) {
    lineNumber += 1;
    if (line.trim() === "") continue;
    const match = HIBP_LINE.exec(line);
    if (match?.[1] === undefined) {
      lines.close();
      throw new Error(`${input}:${lineNumber}: not a "SHA1:count" line`);
    }
    if (limit !== undefined && seen >= limit) break;
    seen += 1;
    yield Buffer.from(match[1], "hex");
  }
  lines.close();
}

export interface BuildFilterOptions {
  readonly input: string;
  readonly output: string;
  readonly fpRate: number;
  /** Only the first `top` hashes (the HIBP "ordered by prevalence" download puts the commonest first). */
  readonly top?: number;
}

/**
 * Builds a filter from a HIBP "SHA1:count" text file in two streaming passes (count, then add),
 * so memory holds only the bit array, never the corpus. Returns the filter's figures.
 */
export async function buildBreachFilter(options: BuildFilterOptions): Promise<Omit<BreachFilter, "has">> {
  if (!(options.fpRate > 0 && options.fpRate < 1)) throw new Error("--fp-rate must be between 0 and 1");
  let count = 0;
  for await (const _ of hashesIn(options.input, options.top)) count += 1;
  const { bits, hashes } = filterSize(count, options.fpRate);
  const file = Buffer.alloc(BREACH_FILTER_HEADER_BYTES + Math.ceil(bits / 8));
  const filter = makeFilter(bits, hashes, file.subarray(BREACH_FILTER_HEADER_BYTES), {
    count,
    fpRate: options.fpRate,
  });
  for await (const sha1 of hashesIn(options.input, options.top)) filter.add(sha1);
  file.write(MAGIC, 0, "latin1");
  file.writeUInt8(VERSION, 4);
  file.writeUInt8(hashes, 5);
  file.writeUIntBE(bits, 8 + 2, 6);
  file.writeUIntBE(count, 16 + 2, 6);
  file.writeDoubleBE(options.fpRate, 24);
  await writeFile(options.output, file);
  return { bits, hashes, count, fpRate: options.fpRate };
}

/** Reads a filter file; any flaw is one line naming the file and what is wrong with it. */
export function loadBreachFilter(path: string): BreachFilter {
  let file: Buffer;
  try {
    file = readFileSync(path);
  } catch (error) {
    throw new Error(`${path}: cannot be read (${(error as NodeJS.ErrnoException).code ?? "error"})`);
  }
  if (file.length < BREACH_FILTER_HEADER_BYTES || file.toString("latin1", 0, 4) !== MAGIC) {
    throw new Error(`${path}: not a Gatehouse breach filter (build one with gatehouse passwords build-filter)`);
  }
  if (file.readUInt8(4) !== VERSION) throw new Error(`${path}: unsupported filter version ${file.readUInt8(4)}`);
  const hashes = file.readUInt8(5);
  const bits = file.readUIntBE(8 + 2, 6) + file.readUInt16BE(8) * 2 ** 48;
  const count = file.readUIntBE(16 + 2, 6);
  const fpRate = file.readDoubleBE(24);
  const expected = BREACH_FILTER_HEADER_BYTES + Math.ceil(bits / 8);
  if (hashes < 1 || bits < 1 || bits >= MAX_BITS || file.length !== expected || !(fpRate > 0 && fpRate < 1)) {
    throw new Error(`${path}: damaged breach filter (header and size disagree)`);
  }
  return makeFilter(bits, hashes, file.subarray(BREACH_FILTER_HEADER_BYTES), { count, fpRate });
}

/** SHA-1 of the password's UTF-8 bytes as typed: how Pwned Passwords hashes them. */
export function passwordSha1(password: string): Buffer {
  return createHash("sha1").update(password, "utf8").digest();
}

/**
 * The breach-filter screen: refuses a password whose SHA-1 (as typed, the corpus is case
 * sensitive) the filter holds. A false positive refuses a good password at about the filter's
 * stated rate; the user picks another.
 */
export function makeBreachFilterScreen(filter: BreachFilter): PasswordScreen {
  return {
    refusesAs: "breached",
    async isRefused(password) {
      return filter.has(passwordSha1(password));
    },
  };
}
