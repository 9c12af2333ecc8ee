/** One bar: its label, its value and where it is drawn. */
export interface Bar {
  readonly label: string;
  readonly value: number;
  /** Rows: the bar's top edge; columns: the column's top edge. */
  readonly y: number;
  /** Rows: the bar's length; columns: the column's width. */
  readonly width: number;
  /** Columns only: the column's left edge and height. */
  readonly x: number;
  readonly height: number;
  /** Columns only: whether the label is printed under this column (every seventh day, the last one). */
  readonly tick: boolean;
}

/**
 * A bar chart laid out for the `admin/chart` partial: SVG geometry, no chart library. `rows` draws
 * one labelled horizontal bar per item (a few categories); `columns` draws a compact column per
 * item over a shared baseline (a 30-day series), labelling every seventh column.
 */
export interface BarChart {
  readonly id: string;
  readonly title: string;
  readonly description: string;
  readonly kind: "rows" | "columns";
  /** The viewBox height. */
  readonly height: number;
  /** The largest value (the scale's top). */
  readonly max: number;
  readonly bars: readonly Bar[];
  /** Where the column plot sits in the viewBox (the partial draws its scale and baseline there). */
  readonly frame: typeof COLUMNS;
}

const BAR_SPACE = 28;
const PLOT_WIDTH = 300;

/** The column plot's frame inside its 480-wide viewBox. */
export const COLUMNS = { left: 34, right: 460, top: 16, baseline: 126, labels: 144, height: 150 } as const;

function described(entries: ReadonlyArray<[string, number]>): string {
  const description = entries.map(([label, value]) => `${label}: ${value}`).join(", ");
  return description === "" ? "No data" : description;
}

/**
 * Lays out `series` as horizontal bars scaled to the largest value. The same numbers go into the
 * SVG's title/desc and into the table the partial renders beside it, so a screen reader (or a
 * browser without SVG) gets every figure.
 */
export function barChart(id: string, title: string, series: Readonly<Record<string, number>>): BarChart {
  const entries = Object.entries(series);
  const max = Math.max(1, ...entries.map(([, value]) => value));
  const bars = entries.map(([label, value], index) => ({
    label,
    value,
    y: index * BAR_SPACE,
    width: Math.round((value / max) * PLOT_WIDTH),
    x: 0,
    height: 0,
    tick: true,
  }));
  const height = bars.length * BAR_SPACE;
  return { id, title, description: described(entries), kind: "rows", height, max, bars, frame: COLUMNS };
}

/** Lays out a long `series` (one entry per day, oldest first) as columns, with the same figures in desc and table. */
export function columnChart(id: string, title: string, series: Readonly<Record<string, number>>): BarChart {
  const entries = Object.entries(series);
  const max = Math.max(1, ...entries.map(([, value]) => value));
  const slot = (COLUMNS.right - COLUMNS.left) / Math.max(entries.length, 1);
  const plot = COLUMNS.baseline - COLUMNS.top;
  const bars = entries.map(([label, value], index) => {
    const height = Math.round((value / max) * plot);
    return {
      label,
      value,
      x: Math.round((COLUMNS.left + index * slot + slot * 0.15) * 10) / 10,
      width: Math.max(2, Math.round(slot * 0.7 * 10) / 10),
      y: COLUMNS.baseline - height,
      height,
      // Counted from the newest column, so today is always labelled.
      tick: (entries.length - 1 - index) % 7 === 0,
    };
  });
  return {
    id,
    title,
    description: described(entries),
    kind: "columns",
    height: COLUMNS.height,
    max,
    bars,
    frame: COLUMNS,
  };
}
