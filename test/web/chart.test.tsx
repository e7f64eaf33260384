import { describe, expect, it } from 'vitest';
import { catalog } from '../../src/content/default.ts';
import {
  type ChartScore,
  SCORE_CHART_KEYS,
  ScoreChart,
  type ScoreChartLabels,
  scoreChartLabels,
} from '../../src/web/chart.tsx';

const labels: ScoreChartLabels = {
  title: 'Scores over time',
  description: 'Bands and thresholds',
  phq9: 'PHQ-9',
  gad7: 'GAD-7',
  casenessPhq9: 'Caseness PHQ',
  casenessGad7: 'Caseness GAD',
  tableCaption: 'The scores',
  date: 'Date',
  questionnaire: 'Form',
  score: 'Score',
  severity: 'Severity',
  empty: 'Nothing yet',
  bands: {
    phq9: { minimal: 'min', mild: 'mild', moderate: 'mod', moderately_severe: 'modsev', severe: 'sev' },
    gad7: { minimal: 'min', mild: 'mild', moderate: 'mod', severe: 'sev' },
  },
};

const render = (scores: readonly ChartScore[], overrides: Partial<ScoreChartLabels> = {}) =>
  String(
    <ScoreChart scores={scores} labels={{ ...labels, ...overrides }} locale="en" timeZone="UTC" id="c1" />,
  );

const day = (d: number) => new Date(Date.UTC(2026, 0, 1) + d * 86_400_000).toISOString();

const MANY: ChartScore[] = [
  { instrument: 'phq9', total: 18, completedAt: day(0) },
  { instrument: 'gad7', total: 12, completedAt: day(0) },
  { instrument: 'phq2', total: 5, completedAt: day(3) },
  { instrument: 'phq9', total: 14, completedAt: day(14) },
  { instrument: 'gad7', total: 9, completedAt: day(14) },
  { instrument: 'phq9', total: 27, completedAt: day(28) },
  { instrument: 'phq9', total: 4, completedAt: day(42) },
  { instrument: 'gad7', total: 3, completedAt: day(42) },
];

/** Every element of a class with its attributes, in document order. */
function elements(html: string, tag: string, cls: string): Record<string, string>[] {
  const found: Record<string, string>[] = [];
  for (const match of html.matchAll(new RegExp(`<${tag}\\s([^>]*)>`, 'g'))) {
    const attrs = Object.fromEntries(
      [...match[1]!.matchAll(/([\w:-]+)="([^"]*)"/g)].map((m) => [m[1]!, m[2]!]),
    );
    if (attrs.class?.split(' ').includes(cls)) found.push(attrs);
  }
  return found;
}

/** The y of the axis label showing `value` in the n-th panel (0: PHQ-9, 1: GAD-7). */
function axisY(html: string, panel: number, value: number): number {
  const panels = html.split('<g class="score-panel ').slice(1);
  const match = panels[panel]!.match(
    new RegExp(`<text class="score-axis-label"[^>]*y="([\\d.]+)"[^>]*>${value}</text>`),
  );
  if (!match) throw new Error(`no axis label ${value} in panel ${panel}`);
  return Number(match[1]);
}

describe('ScoreChart', () => {
  it('draws one dot per PHQ-9 and GAD-7 score, joined by a line, later to the right and higher up', () => {
    const html = render(MANY);
    const phqDots = elements(html, 'circle', 'score-dot-phq9');
    const gadDots = elements(html, 'circle', 'score-dot-gad7');
    expect(phqDots).toHaveLength(4);
    expect(gadDots).toHaveLength(3);
    const cx = phqDots.map((d) => Number(d.cx));
    expect(cx).toEqual([...cx].sort((a, b) => a - b));
    expect(new Set(cx).size).toBe(4);
    // The 27 is at the top of the PHQ-9 panel, the 4 lowest.
    const cy = phqDots.map((d) => Number(d.cy));
    expect(cy[2]).toBe(axisY(html, 0, 27));
    expect(Math.max(...cy)).toBe(cy[3]);
    // Same date, same x in both panels.
    expect(gadDots[0]!.cx).toBe(phqDots[0]!.cx);
    const lines = elements(html, 'path', 'score-line');
    expect(lines).toHaveLength(2);
    expect(lines[0]!.d).toMatch(/^M[\d.]+,[\d.]+(L[\d.]+,[\d.]+){3}$/);
  });

  it('shades every severity band of each instrument and draws the caseness lines at 10 and 8', () => {
    const html = render(MANY);
    const bands = elements(html, 'g', 'score-band');
    expect(bands.map((b) => b.class)).toEqual([
      'score-band score-band-minimal',
      'score-band score-band-mild',
      'score-band score-band-moderate',
      'score-band score-band-moderately_severe',
      'score-band score-band-severe',
      'score-band score-band-minimal',
      'score-band score-band-mild',
      'score-band score-band-moderate',
      'score-band score-band-severe',
    ]);
    const rects = [...html.matchAll(/<g class="score-band [^"]*"><rect ([^>]*)>/g)].map((m) => m[1]!);
    for (const rect of rects) expect(rect).toMatch(/fill="#[0-9a-f]{6}"/);
    // PHQ-9 bands end at 5, 10, 15, 20 and 27, and the axis says so.
    expect([0, 5, 10, 15, 20, 27].map((v) => axisY(html, 0, v))).toEqual(
      [0, 5, 10, 15, 20, 27].map((v) => axisY(html, 0, v)).sort((a, b) => b - a),
    );
    const [phqLine, gadLine] = elements(html, 'line', 'score-caseness');
    expect(phqLine!.y1).toBe(phqLine!.y2);
    expect(Number(phqLine!.y1)).toBe(axisY(html, 0, 10));
    // GAD-7 8 is three fifths of the way from 5 to 10.
    const five = axisY(html, 1, 5);
    const ten = axisY(html, 1, 10);
    expect(Number(gadLine!.y1)).toBeCloseTo(five + ((ten - five) * 3) / 5, 6);
    expect(html).toContain('>Caseness PHQ</text>');
    expect(html).toContain('>Caseness GAD</text>');
  });

  it('has an accessible name and a table of the same scores', () => {
    const html = render(MANY);
    expect(html).toMatch(/<svg [^>]*role="img"[^>]*aria-labelledby="c1-title c1-desc"/);
    expect(html).toContain('<title id="c1-title">Scores over time</title>');
    expect(html).toContain('<desc id="c1-desc">Bands and thresholds</desc>');
    expect(html).toMatch(/viewBox="0 0 400 \d+"/);
    expect(html).toContain('width="100%"');
    expect(html).toContain('<caption>The scores</caption>');
    const rows = [...html.matchAll(/<tr><td>(.*?)<\/tr>/g)].map((m) =>
      m[1]!
        .replace(/<[^>]+>/g, '|')
        .split('|')
        .filter(Boolean),
    );
    expect(rows).toEqual([
      ['1 Jan 2026', 'PHQ-9', '18', ' / 27', 'modsev'],
      ['1 Jan 2026', 'GAD-7', '12', ' / 21', 'mod'],
      ['15 Jan 2026', 'PHQ-9', '14', ' / 27', 'mod'],
      ['15 Jan 2026', 'GAD-7', '9', ' / 21', 'mild'],
      ['29 Jan 2026', 'PHQ-9', '27', ' / 27', 'sev'],
      ['12 Feb 2026', 'PHQ-9', '4', ' / 27', 'min'],
      ['12 Feb 2026', 'GAD-7', '3', ' / 21', 'min'],
    ]);
    expect(html).toContain('<time datetime="2026-01-29T00:00:00.000Z">');
  });

  it('uses no inline style or script, and escapes every label', () => {
    const hostile = '<script>alert("x")</script> & "quotes"';
    const html = render(MANY, { title: hostile, phq9: hostile, tableCaption: hostile, empty: hostile });
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/\sstyle=/);
    expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &quot;quotes&quot;');
    const empty = render([], { empty: hostile });
    expect(empty).not.toMatch(/<script/i);
    expect(empty).toContain('&lt;script&gt;');
  });

  it('says so in words when there is no score, and draws nothing', () => {
    const html = render([{ instrument: 'phq2', total: 4, completedAt: day(0) }]);
    expect(html).toContain('<p>Nothing yet</p>');
    expect(html).not.toContain('<svg');
    expect(html).not.toContain('<table');
  });

  it('draws a single score as a dot in the middle of a fortnight, without a line', () => {
    const html = render([{ instrument: 'gad7', total: 8, completedAt: day(10) }]);
    const dots = elements(html, 'circle', 'score-dot');
    expect(dots).toHaveLength(1);
    expect(Number(dots[0]!.cx)).toBeCloseTo((30 + 390) / 2, 6);
    expect(elements(html, 'path', 'score-line')).toEqual([]);
    expect(elements(html, 'text', 'score-axis-label').length).toBeGreaterThan(11);
    expect([...html.matchAll(/<tr><td>/g)]).toHaveLength(1);
  });

  it('formats dates in the given locale and time zone', () => {
    const late = [{ instrument: 'phq9', total: 5, completedAt: '2026-03-01T23:30:00.000Z' }];
    const nb = String(<ScoreChart scores={late} labels={labels} locale="nb" timeZone="Europe/Oslo" />);
    expect(nb).toContain('2. mars 2026');
  });
});

describe('scoreChartLabels', () => {
  it('finds every text in both locales', () => {
    for (const locale of ['nb', 'en'] as const) {
      for (const key of Object.values(SCORE_CHART_KEYS)) {
        expect(catalog.has(locale, `workspace.${key}`), `${key} in ${locale}`).toBe(true);
      }
      const built = scoreChartLabels((key) => catalog.text(locale, `workspace.${key}`));
      expect(Object.keys(built.bands.phq9)).toHaveLength(5);
      expect(Object.keys(built.bands.gad7)).toEqual(['minimal', 'mild', 'moderate', 'severe']);
      expect(built.bands.phq9.moderately_severe).toBe(
        locale === 'nb' ? 'Moderat alvorlig' : 'Moderately severe',
      );
    }
  });
});
