import { describe, expect, it } from 'vitest';
import { parseDailyCheckin } from '../../src/domain/instruments/daily-checkin.ts';
import {
  dailyCheckin,
  INSTRUMENT_IDS,
  type InstrumentId,
  instruments,
  isInstrumentId,
  item9Positive,
  score,
} from '../../src/domain/instruments.ts';

/** Answers for `items` items that add up to `total` (3s first, then the remainder). */
function answersWithTotal(total: number, items: number): number[] {
  return Array.from({ length: items }, (_, index) => Math.max(0, Math.min(3, total - index * 3)));
}

function scored(id: InstrumentId, answers: readonly number[]) {
  const result = score(id, answers);
  if (!result.ok) throw new Error(`unexpected error ${JSON.stringify(result.error)}`);
  return result.value;
}

describe('answersWithTotal (test helper)', () => {
  it('builds valid answers with the requested total', () => {
    expect(answersWithTotal(10, 9)).toEqual([3, 3, 3, 1, 0, 0, 0, 0, 0]);
    expect(answersWithTotal(27, 9).reduce((a, b) => a + b)).toBe(27);
  });
});

describe('PHQ-9', () => {
  it.each([
    [0, 'minimal', false],
    [4, 'minimal', false],
    [5, 'mild', false],
    [9, 'mild', false],
    [10, 'moderate', true],
    [14, 'moderate', true],
    [15, 'moderately_severe', true],
    [19, 'moderately_severe', true],
    [20, 'severe', true],
    [27, 'severe', true],
  ] as const)('total %i is %s, caseness %s', (total, band, caseness) => {
    const result = scored('phq9', answersWithTotal(total, 9));
    expect(result).toMatchObject({
      instrumentId: 'phq9',
      version: '1',
      total,
      maxTotal: 27,
      band,
      kind: 'caseness',
    });
    expect(result.kind === 'caseness' && result.caseness).toBe(caseness);
  });

  it('ignores the difficulty item for the total and returns it separately', () => {
    const without = scored('phq9', [1, 1, 1, 1, 1, 1, 1, 1, 0]);
    const withDifficulty = scored('phq9', [1, 1, 1, 1, 1, 1, 1, 1, 0, 3]);
    expect(without.total).toBe(8);
    expect(withDifficulty.total).toBe(8);
    expect(without.difficulty).toBeUndefined();
    expect(withDifficulty.difficulty).toBe(3);
    expect(withDifficulty.itemAnswers).toEqual([1, 1, 1, 1, 1, 1, 1, 1, 0]);
  });

  it('flags item 9 above 0 as a positive risk item, whatever the total', () => {
    expect(scored('phq9', [0, 0, 0, 0, 0, 0, 0, 0, 1]).riskItemPositive).toBe(true);
    expect(scored('phq9', [3, 3, 3, 3, 3, 3, 3, 3, 0]).riskItemPositive).toBe(false);
  });

  it('rejects a wrong number of answers as a value', () => {
    expect(score('phq9', [0, 0, 0, 0, 0, 0, 0, 0])).toEqual({
      ok: false,
      error: { code: 'wrong_length', instrumentId: 'phq9', expected: [9, 10], actual: 8 },
    });
    expect(score('phq9', Array(11).fill(0))).toMatchObject({ ok: false, error: { code: 'wrong_length' } });
    expect(score('phq9', [])).toMatchObject({ ok: false, error: { code: 'wrong_length', actual: 0 } });
  });

  it.each([-1, 4, 1.5, Number.NaN])('rejects the answer value %s', (value) => {
    const answers = [0, 0, 0, value, 0, 0, 0, 0, 0];
    expect(score('phq9', answers)).toEqual({
      ok: false,
      error: { code: 'out_of_range', instrumentId: 'phq9', index: 3, value },
    });
  });

  it('rejects an out-of-range difficulty answer', () => {
    expect(score('phq9', [0, 0, 0, 0, 0, 0, 0, 0, 0, 4])).toMatchObject({
      ok: false,
      error: { code: 'out_of_range', index: 9 },
    });
  });

  it('carries the LOINC codes from CLINICAL.md', () => {
    const { phq9 } = instruments;
    expect(phq9.loinc).toEqual({ panel: '44249-1', total: '44261-6' });
    expect(phq9.items.map((item) => item.loinc)).toEqual([
      '44250-9',
      '44255-8',
      '44259-0',
      '44254-1',
      '44251-7',
      '44258-2',
      '44252-5',
      '44253-3',
      '44260-8',
    ]);
    expect(phq9.unscoredItem?.loinc).toBe('69722-7');
    expect(phq9.answers.map((answer) => [answer.value, answer.loinc])).toEqual([
      [0, 'LA6568-5'],
      [1, 'LA6569-3'],
      [2, 'LA6570-1'],
      [3, 'LA6571-9'],
    ]);
    expect(phq9.items.filter((item) => item.risk).map((item) => item.id)).toEqual(['item9']);
  });
});

describe('item9Positive', () => {
  it('is true when item 9 is above 0', () => {
    expect(item9Positive([0, 0, 0, 0, 0, 0, 0, 0, 1])).toBe(true);
    expect(item9Positive([0, 0, 0, 0, 0, 0, 0, 0, 3, 0])).toBe(true);
  });

  it('is false when item 9 is 0 or not answered yet', () => {
    expect(item9Positive([3, 3, 3, 3, 3, 3, 3, 3, 0])).toBe(false);
    expect(item9Positive([3, 3, 3, 3, 3, 3, 3, 3])).toBe(false);
    expect(item9Positive([])).toBe(false);
  });
});

describe('GAD-7', () => {
  it.each([
    [0, 'minimal', false],
    [4, 'minimal', false],
    [5, 'mild', false],
    [7, 'mild', false],
    [8, 'mild', true],
    [9, 'mild', true],
    [10, 'moderate', true],
    [14, 'moderate', true],
    [15, 'severe', true],
    [21, 'severe', true],
  ] as const)('total %i is %s, caseness %s', (total, band, caseness) => {
    const result = scored('gad7', answersWithTotal(total, 7));
    expect(result).toMatchObject({ total, maxTotal: 21, band, kind: 'caseness', riskItemPositive: false });
    expect(result.kind === 'caseness' && result.caseness).toBe(caseness);
  });

  it('takes exactly 7 answers (no difficulty item)', () => {
    expect(score('gad7', Array(8).fill(0))).toMatchObject({
      ok: false,
      error: { code: 'wrong_length', expected: [7], actual: 8 },
    });
  });

  it('carries the LOINC codes from CLINICAL.md', () => {
    const { gad7 } = instruments;
    expect(gad7.loinc).toEqual({ panel: '69737-5', total: '70274-6' });
    expect(gad7.items.map((item) => item.loinc)).toEqual([
      '69725-0',
      '68509-9',
      '69733-4',
      '69734-2',
      '69735-9',
      '69689-8',
      '69736-7',
    ]);
  });
});

describe('PHQ-2 and GAD-2', () => {
  it.each(['phq2', 'gad2'] as const)('%s screens positive from 3', (id) => {
    const at2 = scored(id, [1, 1]);
    const at3 = scored(id, [2, 1]);
    expect(at2).toMatchObject({
      total: 2,
      kind: 'screen',
      screenPositive: false,
      band: undefined,
      maxTotal: 6,
    });
    expect(at3).toMatchObject({ total: 3, kind: 'screen', screenPositive: true });
    expect(scored(id, [3, 3])).toMatchObject({ total: 6, screenPositive: true });
    expect(scored(id, [0, 0])).toMatchObject({ total: 0, screenPositive: false });
  });

  it('are the first two items of PHQ-9 and GAD-7', () => {
    expect(instruments.phq2.items).toEqual(instruments.phq9.items.slice(0, 2));
    expect(instruments.gad2.items).toEqual(instruments.gad7.items.slice(0, 2));
    expect(instruments.phq2.loinc).toEqual({ panel: '55757-9', total: '55758-7' });
  });

  it('reject a third answer', () => {
    expect(score('phq2', [0, 0, 0])).toMatchObject({
      ok: false,
      error: { code: 'wrong_length', expected: [2] },
    });
  });
});

describe('instrument definitions', () => {
  it.each(INSTRUMENT_IDS)('%s bands cover 0..maxTotal without gaps or overlaps', (id) => {
    const { bands, maxTotal } = instruments[id];
    if (bands.length === 0) return;
    expect(bands[0]?.min).toBe(0);
    expect(bands.at(-1)?.max).toBe(maxTotal);
    for (let i = 1; i < bands.length; i++) expect(bands[i]?.min).toBe((bands[i - 1]?.max ?? Number.NaN) + 1);
  });

  it.each(INSTRUMENT_IDS)('%s maxTotal is 3 × the number of scored items', (id) => {
    expect(instruments[id].maxTotal).toBe(instruments[id].items.length * 3);
  });

  it('records the translation status per locale', () => {
    expect(instruments.phq9.translations.nb.status).toBe('nfkt');
    expect(instruments.phq2.translations.nb.status).toBe('nfkt');
    expect(instruments.gad7.translations.nb.status).toBe('provisional');
    expect(instruments.gad2.translations.nb.status).toBe('provisional');
    for (const id of INSTRUMENT_IDS) expect(instruments[id].translations.en.status).toBe('original');
    expect(instruments.phq9.translations.nb.provisionalKeys).toContain('phq9.difficulty');
  });

  it('has reliable-change and caseness values from CLINICAL.md', () => {
    expect(instruments.phq9.threshold).toEqual({ kind: 'caseness', min: 10 });
    expect(instruments.gad7.threshold).toEqual({ kind: 'caseness', min: 8 });
    expect(instruments.phq9.reliableChange).toBe(6);
    expect(instruments.gad7.reliableChange).toBe(4);
  });

  it('recognises instrument ids', () => {
    expect(isInstrumentId('phq9')).toBe(true);
    expect(isInstrumentId('isi')).toBe(false);
  });
});

describe('daily check-in', () => {
  it('is marked as self-monitoring, not validated', () => {
    expect(dailyCheckin.validated).toBe(false);
    expect(dailyCheckin.purpose).toBe('self-monitoring');
    expect(dailyCheckin.ratings.map((rating) => [rating.id, rating.min, rating.max])).toEqual([
      ['mood', 0, 10],
      ['sleep', 0, 10],
      ['energy', 0, 10],
    ]);
  });

  it('accepts ratings 0..10 and a trimmed free text', () => {
    expect(parseDailyCheckin({ mood: 0, sleep: 10, energy: 5, oneThing: '  Gikk en tur  ' })).toEqual({
      ok: true,
      value: { mood: 0, sleep: 10, energy: 5, oneThing: 'Gikk en tur' },
    });
  });

  it('rejects out-of-range ratings, non-integers and unknown fields', () => {
    const result = parseDailyCheckin({ mood: 11, sleep: 2.5, energy: -1, oneThing: 'x', extra: 1 });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    const paths = result.error.map((issue) => issue.path);
    expect(paths).toEqual(expect.arrayContaining(['mood', 'sleep', 'energy']));
    expect(result.error.length).toBeGreaterThanOrEqual(4);
  });
});
