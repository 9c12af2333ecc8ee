import type { Command } from "commander";

/** A refusal of the command line itself (missing option, bad value): exit 2 with the usage hint. */
export class UsageError extends Error {}

/** What a command's `run` gets: its positional arguments, its options, and where to print. */
export interface CliInput {
  readonly args: readonly string[];
  readonly options: Readonly<Record<string, unknown>>;
  readonly out: CliOutput;
}

/**
 * One `gatehouse <group> <name>` command, self-contained in its own file: registering it is one
 * entry in the COMMANDS list of cli.ts.
 */
export interface CliCommand {
  /** As typed: "users list". */
  readonly name: string;
  readonly summary: string;
  /** Declares the command's arguments and options on commander's command. */
  readonly declare?: (command: Command) => Command;
  readonly run: (input: CliInput) => Promise<void>;
}

/** Human tables on a terminal (or wherever `--json` is not given), JSON with `--json`. */
export interface CliOutput {
  readonly json: boolean;
  /** Prints `value` as JSON with `--json`, else the human text `human()` makes of it. */
  result(value: unknown, human: () => string): void;
}

export function outputFor(json: boolean, stdout: NodeJS.WritableStream = process.stdout): CliOutput {
  return {
    json,
    result(value, human) {
      stdout.write(json ? `${JSON.stringify(value)}\n` : `${human()}\n`);
    },
  };
}

/** The string option `name`, or undefined; a flag given twice or as a list is a usage error. */
export function stringOption(options: CliInput["options"], name: string): string | undefined {
  const value = options[name];
  if (value === undefined) return undefined;
  if (typeof value !== "string") throw new UsageError(`--${name} takes one value`);
  return value;
}

export function requiredOption(options: CliInput["options"], name: string): string {
  const value = stringOption(options, name);
  if (value === undefined) throw new UsageError(`--${name} is required`);
  return value;
}

/** A repeatable option (`--role a --role b`), empty when absent. */
export function listOption(options: CliInput["options"], name: string): string[] {
  const value = options[name];
  if (value === undefined) return [];
  return (Array.isArray(value) ? value : [value]).filter((item): item is string => typeof item === "string");
}

export function positional(input: CliInput, index: number, name: string): string {
  const value = input.args[index];
  if (value === undefined) throw new UsageError(`<${name}> is required`);
  return value;
}

/** Collects a repeatable option's values (commander's reducer). */
export const collect = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value];

/** Rows as aligned columns with a header; cells are printed as given. */
export function table(columns: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  const widths = columns.map((column, i) => Math.max(column.length, ...rows.map((row) => (row[i] ?? "").length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, i) => cell.padEnd(widths[i] ?? 0))
      .join("  ")
      .trimEnd();
  return [line(columns), ...rows.map(line)].join("\n");
}
