/** One sample line of the Prometheus text exposition format. */
export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;
const LABEL = /^([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\\\|\\"|\\n)*)"(,?)/;

function unescapeLabel(value: string): string {
  return value.replace(/\\(\\|"|n)/g, (_all, escaped: string) => (escaped === "n" ? "\n" : escaped));
}

function parseValue(text: string, line: string): number {
  // Prometheus reads these case-insensitively (prom-client writes `Nan`).
  if (/^\+?inf$/i.test(text)) return Number.POSITIVE_INFINITY;
  if (/^-inf$/i.test(text)) return Number.NEGATIVE_INFINITY;
  if (/^nan$/i.test(text)) return Number.NaN;
  const value = Number(text);
  if (text === "" || Number.isNaN(value)) throw new Error(`bad sample value in: ${line}`);
  return value;
}

function parseSample(line: string): Sample {
  const name = METRIC_NAME.exec(line)?.[0];
  if (name === undefined) throw new Error(`bad sample line: ${line}`);
  let rest = line.slice(name.length);
  const labels: Record<string, string> = {};
  if (rest.startsWith("{")) {
    rest = rest.slice(1);
    while (!rest.startsWith("}")) {
      const label = LABEL.exec(rest);
      if (label === null) throw new Error(`bad label set in: ${line}`);
      const [all, key, value, comma] = label as unknown as [string, string, string, string];
      if (key in labels) throw new Error(`duplicate label ${key} in: ${line}`);
      labels[key] = unescapeLabel(value);
      rest = rest.slice(all.length);
      if (comma === "" && !rest.startsWith("}")) throw new Error(`bad label set in: ${line}`);
    }
    rest = rest.slice(1);
  }
  const [valueText, timestamp, extra] = rest.trim().split(/\s+/);
  if (extra !== undefined || (timestamp !== undefined && !/^-?\d+$/.test(timestamp))) {
    throw new Error(`bad sample line: ${line}`);
  }
  return { name, labels, value: parseValue(valueText ?? "", line) };
}

/**
 * A `/metrics` exposition parsed line by line by the text-format rules (independent of
 * prom-client, which wrote it). Any line it cannot read fails the test, so the format is
 * checked too.
 */
export class Scrape {
  readonly samples: readonly Sample[];
  /** Metric family name → its `# TYPE`. */
  readonly types: ReadonlyMap<string, string>;

  constructor(text: string) {
    const samples: Sample[] = [];
    const types = new Map<string, string>();
    for (const line of text.split("\n")) {
      if (line.trim() === "") continue;
      if (line.startsWith("#")) {
        const type = /^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped)$/.exec(line);
        if (type) types.set(type[1] as string, type[2] as string);
        else if (!line.startsWith("# HELP ")) throw new Error(`bad comment line: ${line}`);
        continue;
      }
      samples.push(parseSample(line));
    }
    this.samples = samples;
    this.types = types;
  }

  /** The samples named exactly `name` whose labels include `labels`. */
  find(name: string, labels: Record<string, string> = {}): Sample[] {
    return this.samples.filter(
      (sample) => sample.name === name && Object.entries(labels).every(([key, value]) => sample.labels[key] === value),
    );
  }

  /** The one sample of `name` matching `labels`; 0 when there is none, an error when several match. */
  value(name: string, labels: Record<string, string> = {}): number {
    const matching = this.find(name, labels);
    if (matching.length > 1) throw new Error(`${name} ${JSON.stringify(labels)} matches ${matching.length} samples`);
    return matching[0]?.value ?? 0;
  }

  /** Metric family names, as `# TYPE` declares them. */
  families(): string[] {
    return [...this.types.keys()];
  }
}
