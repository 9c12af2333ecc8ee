import { buildBreachFilter } from "@gatehouse/infrastructure";
import { type CliCommand, requiredOption, stringOption, UsageError } from "./command.js";

/** A number option: the whole value must parse, else the operator hears which option is wrong. */
function numberOption(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const parsed = Number(value);
  if (value.trim() === "" || !Number.isFinite(parsed))
    throw new UsageError(`--${name} must be a number, got "${value}"`);
  return parsed;
}

/**
 * `gatehouse passwords build-filter`: the Bloom filter PASSWORD_BREACH_FILTER_FILE loads, from a
 * Pwned Passwords download ("SHA1:count" lines, read as a stream; the corpus itself is not kept).
 * Needs no configuration and no database.
 */
export const passwordsBuildFilter: CliCommand = {
  name: "passwords build-filter",
  summary: "Build the breached-password Bloom filter from a Pwned Passwords download",
  declare: (command) =>
    command
      .option("--input <file>", 'the downloaded "SHA1:count" file')
      .option("--output <file>", "where to write the filter")
      .option("--fp-rate <rate>", "the false-positive rate to size the filter for", "0.001")
      .option("--top <n>", "keep only the first n hashes (the commonest in an ordered download)"),
  async run({ options, out }) {
    const input = requiredOption(options, "input");
    const output = requiredOption(options, "output");
    const top = numberOption("top", stringOption(options, "top"));
    if (top !== undefined && !(Number.isInteger(top) && top > 0))
      throw new UsageError("--top must be a positive integer");
    const fpRate = numberOption("fp-rate", stringOption(options, "fp-rate")) ?? 0.001;
    const started = Date.now();
    const built = await buildBreachFilter({ input, output, fpRate, ...(top === undefined ? {} : { top }) });
    const seconds = (Date.now() - started) / 1000;
    const mib = (built.bits / 8 / 2 ** 20).toFixed(1);
    out.result(
      { output, count: built.count, bits: built.bits, hashes: built.hashes, fp_rate: built.fpRate, seconds },
      () =>
        `wrote ${output}: ${built.count} hashes, ${built.bits} bits (${mib} MiB), k=${built.hashes}, ` +
        `false-positive rate ${built.fpRate} (${seconds.toFixed(1)} s)`,
    );
  },
};
