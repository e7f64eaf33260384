import { ScoreChart as Chart, type ChartScore, scoreChartLabels } from './chart.tsx';
import type { Translate } from './context.ts';

/** The score chart as the client page places it, with its texts from the workspace's content. */
export function ScoreChart({
  t,
  locale,
  timeZone,
  scores,
}: {
  t: Translate;
  locale: 'nb' | 'en';
  timeZone: string;
  scores: readonly ChartScore[];
}) {
  return <Chart scores={scores} labels={scoreChartLabels(t)} locale={locale} timeZone={timeZone} />;
}
