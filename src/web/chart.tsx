import { utcTicks } from 'd3-time';
import { type BandId, gad7, type InstrumentDefinition, phq9 } from '../domain/instruments.ts';
import { formatDate, intlLocale } from './format.ts';

/*
 * The PHQ-9 and GAD-7 chart of a client's page: a server-rendered SVG (no script), two panels over one
 * time axis, each with its instrument's severity bands shaded and its caseness line (CLINICAL.md §1),
 * one dot per score joined by a line; beside it a table of the same scores for screen readers and for
 * anyone who wants the figures. The time axis's ticks come from d3-time; bands, thresholds and maximum
 * totals from the instrument definitions in src/domain. Colours are SVG presentation attributes (the
 * workspace's CSP refuses inline style) with a class on every part, so workspace.css can restyle them.
 * Every word comes in through `labels`: the page takes them from content/ (`scoreChartLabels`;
 * score-chart.tsx does it for the client page).
 */

export type ChartInstrument = 'phq9' | 'gad7';

/** A score as the client view lists it (ScoreView fits); other instruments are left out. */
export interface ChartScore {
  instrument: string;
  total: number;
  /** ISO 8601. */
  completedAt: string;
}

export interface ScoreChartLabels {
  /** The chart's accessible name. */
  title: string;
  /** A sentence on what it shows; read after the name. */
  description: string;
  phq9: string;
  gad7: string;
  casenessPhq9: string;
  casenessGad7: string;
  tableCaption: string;
  date: string;
  questionnaire: string;
  score: string;
  severity: string;
  /** Shown instead of the chart and the table when there is no PHQ-9 or GAD-7 score. */
  empty: string;
  bands: Record<ChartInstrument, Partial<Record<BandId, string>>>;
}

export interface ScoreChartProps {
  scores: readonly ChartScore[];
  labels: ScoreChartLabels;
  /** The workspace's language: dates in its one form (format.ts), tick labels in the same order. */
  locale: 'nb' | 'en';
  /** Dates are shown in this zone (the client's); default Europe/Oslo. */
  timeZone?: string;
  /** Prefix of the element ids (title, description): unique on the page. */
  id?: string;
}

/**
 * The keys of the chart's texts under `workspace.` (content/<locale>/ui.json), as the workspace's
 * translator (`translator` in context.ts) takes them; band labels are `chart.band.<band id>`.
 */
export const SCORE_CHART_KEYS = {
  title: 'chart.title',
  description: 'chart.description',
  phq9: 'chart.phq9',
  gad7: 'chart.gad7',
  casenessPhq9: 'chart.caseness_phq9',
  casenessGad7: 'chart.caseness_gad7',
  tableCaption: 'chart.table_caption',
  date: 'chart.date',
  questionnaire: 'chart.questionnaire',
  score: 'chart.score',
  severity: 'chart.severity',
  empty: 'chart.empty',
} as const satisfies Record<Exclude<keyof ScoreChartLabels, 'bands'>, string>;

const DEFINITIONS: Readonly<Record<ChartInstrument, InstrumentDefinition>> = { phq9, gad7 };

/** The labels from the content: `t` is the workspace's translator (a key under `workspace.`). */
export function scoreChartLabels(t: (key: string) => string): ScoreChartLabels {
  const bands = (instrument: ChartInstrument) =>
    Object.fromEntries(DEFINITIONS[instrument].bands.map((band) => [band.id, t(`chart.band.${band.id}`)]));
  const plain = Object.fromEntries(
    Object.entries(SCORE_CHART_KEYS).map(([name, key]) => [name, t(key)]),
  ) as Record<keyof typeof SCORE_CHART_KEYS, string>;
  return { ...plain, bands: { phq9: bands('phq9'), gad7: bands('gad7') } };
}

// Geometry in viewBox units. At 400 wide the chart is drawn nearly 1:1 on a 390 px phone screen, so the
// 11-unit text stays readable there; wider screens scale it up (width 100%, or as workspace.css says).
const WIDTH = 400;
const MARGIN = { left: 30, right: 10 };
const PANEL = { title: 18, plot: 120, gap: 16 };
const AXIS = 22;
const FONT = 11;
const BAND_FONT = 9;
const DAY_MS = 86_400_000;

const COLOURS = {
  line: { phq9: '#1f5f8b', gad7: '#6a3d8f' },
  band: {
    minimal: '#edf5ec',
    mild: '#f5f3e0',
    moderate: '#faeedb',
    moderately_severe: '#f8e2d6',
    severe: '#f3d6d6',
  } satisfies Record<BandId, string>,
  caseness: '#8a1c1c',
  grid: '#c9d0d7',
  text: '#3b4550',
  muted: '#4f5a66',
};

interface Point {
  at: Date;
  total: number;
  band: BandId | undefined;
}

function seriesOf(scores: readonly ChartScore[], instrument: ChartInstrument): Point[] {
  const definition = DEFINITIONS[instrument];
  return scores
    .filter((s) => s.instrument === instrument && Number.isFinite(Date.parse(s.completedAt)))
    .map((s) => ({
      at: new Date(s.completedAt),
      total: s.total,
      band: definition.bands.find((band) => s.total >= band.min && s.total <= band.max)?.id,
    }))
    .sort((a, b) => a.at.getTime() - b.at.getTime());
}

/** The time domain: the scores' span, or a fortnight around a single day; none without scores. */
function timeDomain(points: readonly Point[]): [Date, Date] | undefined {
  if (points.length === 0) return undefined;
  const times = points.map((p) => p.at.getTime());
  const first = Math.min(...times);
  const last = Math.max(...times);
  return last - first < DAY_MS
    ? [new Date(first - 7 * DAY_MS), new Date(last + 7 * DAY_MS)]
    : [new Date(first), new Date(last)];
}

/** Where a band's label goes: its middle, or the middle of its larger side when the caseness line crosses it. */
function bandLabelAt(min: number, upper: number, caseness: number): number {
  if (caseness <= min || caseness >= upper) return (min + upper) / 2;
  return caseness - min >= upper - caseness ? (min + caseness) / 2 : (caseness + upper) / 2;
}

/**
 * A linear map of `domain` onto `range`, with d3-scale's arithmetic (normalise, then interpolate), so
 * the drawing is the same as with its scaleLinear and scaleUtc. d3-scale and d3-shape are not used:
 * for this map and a polyline they brought d3-interpolate, d3-color, d3-format, d3-time-format and
 * d3-path, 17 KiB gzip of the Workers bundle. The calendar ticks, the part worth a library, still come
 * from d3-time.
 */
function linear([d0, d1]: readonly [number, number], [r0, r1]: readonly [number, number]) {
  return (value: number): number => {
    const t = d1 === d0 ? 0.5 : (value - d0) / (d1 - d0);
    return r0 * (1 - t) + r1 * t;
  };
}

/** The polyline through `points` as SVG path data, coordinates rounded to 3 decimals as d3-shape's line(). */
function polyline(points: readonly (readonly [number, number])[]): string {
  const round = (n: number) => Math.round(n * 1000) / 1000;
  return points.map(([px, py], i) => `${i === 0 ? 'M' : 'L'}${round(px)},${round(py)}`).join('');
}

/**
 * A time label at the right end of the axis is anchored there, so it stays inside the picture; on the
 * left the y-axis margin leaves room for a centred one (anchored at its start it ran into the next).
 */
function anchorOf(at: number, right: number): 'middle' | 'end' {
  return right - at < 24 ? 'end' : 'middle';
}

/**
 * Tick labels short enough for a phone: day and month over a short span; over a long one the month,
 * with the year on the first tick and where the year changes.
 */
function timeTickLabels(
  ticks: readonly Date[],
  domain: [Date, Date],
  locale: 'nb' | 'en',
  timeZone: string,
): string[] {
  const tag = intlLocale(locale);
  const long = domain[1].getTime() - domain[0].getTime() > 180 * DAY_MS;
  if (!long) {
    const format = new Intl.DateTimeFormat(tag, { day: 'numeric', month: 'short', timeZone });
    return ticks.map((tick) => format.format(tick));
  }
  const month = new Intl.DateTimeFormat(tag, { month: 'short', timeZone });
  const monthYear = new Intl.DateTimeFormat(tag, { month: 'short', year: 'numeric', timeZone });
  const year = new Intl.DateTimeFormat(tag, { year: 'numeric', timeZone });
  return ticks.map((tick, i) =>
    i === 0 || year.format(tick) !== year.format(ticks[i - 1]!) ? monthYear.format(tick) : month.format(tick),
  );
}

export function ScoreChart({
  scores,
  labels,
  locale,
  timeZone = 'Europe/Oslo',
  id = 'score-chart',
}: ScoreChartProps) {
  const series = { phq9: seriesOf(scores, 'phq9'), gad7: seriesOf(scores, 'gad7') };
  const all = [...series.phq9, ...series.gad7];
  const domain = timeDomain(all);
  // Nothing to draw: the sentence alone says so to everyone, screen readers included.
  if (!domain) {
    return (
      <div class="score-chart score-chart-empty">
        <p>{labels.empty}</p>
      </div>
    );
  }
  const plotLeft = MARGIN.left;
  const plotRight = WIDTH - MARGIN.right;
  const toX = linear([domain[0].getTime(), domain[1].getTime()], [plotLeft, plotRight]);
  const x = (at: Date) => toX(at.getTime());
  const ticks = utcTicks(domain[0], domain[1], 4);
  const tickLabels = timeTickLabels(ticks, domain, locale, timeZone);
  const panels = (['phq9', 'gad7'] as const).map((instrument, index) => {
    const top = index * (PANEL.title + PANEL.plot + PANEL.gap) + PANEL.title;
    return { instrument, top, bottom: top + PANEL.plot };
  });
  const height = panels[1]!.bottom + AXIS;
  const dateText = (at: Date) => formatDate(at.toISOString(), locale, timeZone);
  const instrumentLabel = { phq9: labels.phq9, gad7: labels.gad7 };
  const casenessLabel = { phq9: labels.casenessPhq9, gad7: labels.casenessGad7 };
  const titleId = `${id}-title`;
  const descId = `${id}-desc`;

  return (
    <div class="score-chart">
      <svg
        class="score-chart-svg"
        role="img"
        aria-labelledby={`${titleId} ${descId}`}
        viewBox={`0 0 ${WIDTH} ${height}`}
        width="100%"
        preserveAspectRatio="xMidYMid meet"
        font-size={FONT}
      >
        <title id={titleId}>{labels.title}</title>
        <desc id={descId}>{labels.description}</desc>
        {panels.map(({ instrument, top, bottom }) => {
          const definition = DEFINITIONS[instrument];
          const y = linear([0, definition.maxTotal], [bottom, top]);
          const path = polyline(series[instrument].map((p) => [x(p.at), y(p.total)]));
          const caseness = definition.threshold.min;
          const edges = [...definition.bands.map((band) => band.min), definition.maxTotal];
          return (
            <g class={`score-panel score-panel-${instrument}`}>
              <text class="score-panel-title" x={plotLeft} y={top - 5} fill={COLOURS.text} font-weight="600">
                {instrumentLabel[instrument]}
              </text>
              {definition.bands.map((band, i) => {
                const upper = definition.bands[i + 1]?.min ?? definition.maxTotal;
                return (
                  <g class={`score-band score-band-${band.id}`}>
                    <rect
                      x={plotLeft}
                      y={y(upper)}
                      width={plotRight - plotLeft}
                      height={y(band.min) - y(upper)}
                      fill={COLOURS.band[band.id]}
                    />
                    <text
                      class="score-band-label"
                      x={plotRight - 3}
                      y={y(bandLabelAt(band.min, upper, caseness))}
                      dy="0.35em"
                      text-anchor="end"
                      font-size={BAND_FONT}
                      fill={COLOURS.muted}
                    >
                      {labels.bands[instrument][band.id] ?? ''}
                    </text>
                  </g>
                );
              })}
              {edges.map((value) => (
                <text
                  class="score-axis-label"
                  x={plotLeft - 4}
                  y={y(value)}
                  dy="0.35em"
                  text-anchor="end"
                  fill={COLOURS.text}
                >
                  {value}
                </text>
              ))}
              {ticks.map((tick) => (
                <line
                  class="score-grid"
                  x1={x(tick)}
                  x2={x(tick)}
                  y1={top}
                  y2={bottom}
                  stroke={COLOURS.grid}
                  stroke-width="0.5"
                />
              ))}
              <line
                class="score-caseness"
                x1={plotLeft}
                x2={plotRight}
                y1={y(caseness)}
                y2={y(caseness)}
                stroke={COLOURS.caseness}
                stroke-width="1.25"
                stroke-dasharray="5 3"
              />
              <text
                class="score-caseness-label"
                x={plotLeft + 3}
                y={y(caseness) - 3}
                font-size={BAND_FONT}
                fill={COLOURS.caseness}
              >
                {casenessLabel[instrument]}
              </text>
              {series[instrument].length > 1 && path ? (
                <path
                  class="score-line"
                  d={path}
                  fill="none"
                  stroke={COLOURS.line[instrument]}
                  stroke-width="2"
                  stroke-linejoin="round"
                />
              ) : null}
              {series[instrument].map((p) => (
                <circle
                  class={`score-dot score-dot-${instrument}`}
                  cx={x(p.at)}
                  cy={y(p.total)}
                  r="3.5"
                  fill={COLOURS.line[instrument]}
                  stroke="#fff"
                  stroke-width="1"
                >
                  <title>{`${dateText(p.at)}: ${p.total}`}</title>
                </circle>
              ))}
              <rect
                class="score-frame"
                x={plotLeft}
                y={top}
                width={plotRight - plotLeft}
                height={bottom - top}
                fill="none"
                stroke={COLOURS.grid}
              />
            </g>
          );
        })}
        {ticks.map((tick, i) => (
          <text
            class="score-axis-label"
            x={x(tick)}
            y={panels[1]!.bottom + 15}
            text-anchor={anchorOf(x(tick), plotRight)}
            fill={COLOURS.text}
          >
            {tickLabels[i]}
          </text>
        ))}
      </svg>
      <table class="score-chart-table">
        <caption>{labels.tableCaption}</caption>
        <thead>
          <tr>
            <th scope="col">{labels.date}</th>
            <th scope="col">{labels.questionnaire}</th>
            <th scope="col">{labels.score}</th>
            <th scope="col">{labels.severity}</th>
          </tr>
        </thead>
        <tbody>
          {(['phq9', 'gad7'] as const)
            .flatMap((instrument) => series[instrument].map((p) => ({ instrument, ...p })))
            .sort((a, b) => a.at.getTime() - b.at.getTime())
            .map((row) => (
              <tr>
                <td>
                  <time datetime={row.at.toISOString()}>{dateText(row.at)}</time>
                </td>
                <td>{instrumentLabel[row.instrument]}</td>
                <td>
                  {row.total}
                  <span class="score-of"> / {DEFINITIONS[row.instrument].maxTotal}</span>
                </td>
                <td>{row.band ? (labels.bands[row.instrument][row.band] ?? '') : ''}</td>
              </tr>
            ))}
        </tbody>
      </table>
    </div>
  );
}
