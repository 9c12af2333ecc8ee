/** One bar: its label, its value and where it is drawn. */
export interface Bar {
  readonly label: string;
  readonly value: number;
  readonly y: number;
  readonly width: number;
}

/** A horizontal bar chart laid out for the `admin/chart` partial: SVG geometry, no chart library. */
export interface BarChart {
  readonly id: string;
  readonly title: string;
  readonly description: string;
  readonly height: number;
  readonly bars: readonly Bar[];
}

const BAR_SPACE = 28;
const PLOT_WIDTH = 300;

/**
 * Lays out `series` as bars scaled to the largest value. The same numbers go into the SVG's
 * title/desc and into the table the partial renders beside it, so a screen reader (or a browser
 * without SVG) gets every figure.
 */
export function barChart(id: string, title: string, series: Readonly<Record<string, number>>): BarChart {
  const entries = Object.entries(series);
  const max = Math.max(1, ...entries.map(([, value]) => value));
  const bars = entries.map(([label, value], index) => ({
    label,
    value,
    y: index * BAR_SPACE,
    width: Math.round((value / max) * PLOT_WIDTH),
  }));
  const description = entries.map(([label, value]) => `${label}: ${value}`).join(", ");
  return {
    id,
    title,
    description: description === "" ? "No data" : description,
    height: bars.length * BAR_SPACE,
    bars,
  };
}
