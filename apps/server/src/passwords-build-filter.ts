import { parseArgs } from "node:util";
import { buildBreachFilter } from "@gatehouse/infrastructure";

export const BUILD_FILTER_USAGE = `  gatehouse passwords build-filter --input <file> --output <file> [--fp-rate 0.001] [--top <n>]
      Builds the Bloom filter PASSWORD_BREACH_FILTER_FILE loads, from a Pwned Passwords download
      ("SHA1:count" lines, read as a stream; --top keeps the first n, the commonest in an
      ordered download). The corpus itself is not kept.`;

/** A number option: the whole value must parse, else the operator hears which option is wrong. */
function numberOption(name: string, value: string | undefined, fallback?: number): number | undefined {
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (value.trim() === "" || !Number.isFinite(parsed)) throw new Error(`--${name} must be a number, got "${value}"`);
  return parsed;
}

/** `gatehouse passwords build-filter`: needs no configuration and no database. */
export async function passwordsBuildFilter(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      input: { type: "string" },
      output: { type: "string" },
      "fp-rate": { type: "string" },
      top: { type: "string" },
    },
    strict: true,
  });
  if (values.input === undefined || values.output === undefined) {
    throw new Error(`--input and --output are required\n\nUsage:\n${BUILD_FILTER_USAGE}`);
  }
  const top = numberOption("top", values.top);
  if (top !== undefined && !(Number.isInteger(top) && top > 0)) throw new Error("--top must be a positive integer");
  const started = Date.now();
  const built = await buildBreachFilter({
    input: values.input,
    output: values.output,
    fpRate: numberOption("fp-rate", values["fp-rate"], 0.001) as number,
    ...(top === undefined ? {} : { top }),
  });
  const mib = (built.bits / 8 / 2 ** 20).toFixed(1);
  process.stdout.write(
    `wrote ${values.output}: ${built.count} hashes, ${built.bits} bits (${mib} MiB), k=${built.hashes}, ` +
      `false-positive rate ${built.fpRate} (${((Date.now() - started) / 1000).toFixed(1)} s)\n`,
  );
}
