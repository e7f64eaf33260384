import { describe, expect, it } from 'vitest';
import { catalog } from '../../src/content/default.ts';
import { type AgendaItem, buildReview, type ReviewInput } from '../../src/domain/review.ts';

/*
 * A client on the anxiety course a week after their first follow-up contact: a worry diary kept for two
 * days and then left, three PHQ-9 and GAD-7 scores (PHQ-9 falls reliably, 15 → 8; GAD-7 falls 3, which
 * is not reliable), part 2 finished since the contact and part 3 open, and one acknowledged concern alert.
 * The whole review is asserted: its JSON is an interface (GET /clients/{id}/review).
 */

const score = (instrument: string, total: number, at: string, riskItemPositive = false) => ({
  instrument,
  total,
  at,
  riskItemPositive,
});

const history: ReviewInput = {
  now: new Date('2026-12-14T09:00:00.000Z'),
  lastContactAt: '2026-12-07T10:00:00.000Z',
  goals: ['Sove bedre', 'Bekymre meg mindre på jobb'],
  paceDays: 7,
  homework: [
    { id: 'hw-1', type: 'anxiety.worry_diary', at: '2026-12-01T19:00:00.000Z' },
    { id: 'hw-2', type: 'anxiety.worry_diary', at: '2026-12-07T18:00:00.000Z' },
    { id: 'hw-3', type: 'anxiety.worry_diary', at: '2026-12-08T08:00:00.000Z' },
    { id: 'hw-4', type: 'anxiety.worry_time_plan', at: '2026-12-12T20:00:00.000Z' },
  ],
  scores: [
    score('phq9', 15, '2026-11-23T18:00:00.000Z'),
    score('gad7', 12, '2026-11-23T18:05:00.000Z'),
    score('phq2', 3, '2026-11-30T18:00:00.000Z'),
    score('phq9', 12, '2026-12-06T18:00:00.000Z'),
    score('gad7', 11, '2026-12-06T18:05:00.000Z'),
    score('phq9', 8, '2026-12-13T18:00:00.000Z'),
    score('gad7', 9, '2026-12-13T18:05:00.000Z'),
  ],
  parts: [
    {
      flowId: 'anxiety',
      part: 1,
      startedAt: '2026-11-23T09:00:00.000Z',
      completedAt: '2026-11-30T09:00:00.000Z',
    },
    {
      flowId: 'anxiety',
      part: 2,
      startedAt: '2026-11-30T09:00:00.000Z',
      completedAt: '2026-12-08T09:00:00.000Z',
    },
    { flowId: 'anxiety', part: 3, startedAt: '2026-12-08T09:05:00.000Z' },
  ],
  alerts: [
    {
      id: 'alert-1',
      kind: 'concern_text',
      tier: 'concern',
      priority: 'normal',
      text: 'ser ingen vits i noe av dette',
      matchedPhrase: 'ser ingen vits',
      channel: 'web',
      at: '2026-12-10T21:00:00.000Z',
      status: 'acknowledged',
    },
    {
      id: 'alert-0',
      kind: 'concern_text',
      tier: 'concern',
      priority: 'normal',
      text: 'før forrige samtale',
      channel: 'web',
      at: '2026-12-01T21:00:00.000Z',
      status: 'acknowledged',
    },
  ],
};

describe('the review before a contact', () => {
  it('reads a known history into a stable JSON with the §5 agenda', () => {
    const review = buildReview(history);
    // Through JSON, as the API sends it: undefined fields are left out.
    expect(JSON.parse(JSON.stringify(review))).toEqual({
      generatedAt: '2026-12-14T09:00:00.000Z',
      since: '2026-12-07T10:00:00.000Z',
      until: '2026-12-14T09:00:00.000Z',
      goals: ['Sove bedre', 'Bekymre meg mindre på jobb'],
      homework: {
        total: 3,
        byType: [
          { type: 'anxiety.worry_diary', count: 2, lastAt: '2026-12-08T08:00:00.000Z' },
          { type: 'anxiety.worry_time_plan', count: 1, lastAt: '2026-12-12T20:00:00.000Z' },
        ],
        entries: [
          { id: 'hw-2', type: 'anxiety.worry_diary', at: '2026-12-07T18:00:00.000Z' },
          { id: 'hw-3', type: 'anxiety.worry_diary', at: '2026-12-08T08:00:00.000Z' },
          { id: 'hw-4', type: 'anxiety.worry_time_plan', at: '2026-12-12T20:00:00.000Z' },
        ],
      },
      scores: [
        {
          instrument: 'phq9',
          first: { total: 15, at: '2026-11-23T18:00:00.000Z' },
          previous: { total: 12, at: '2026-12-06T18:00:00.000Z' },
          latest: { total: 8, at: '2026-12-13T18:00:00.000Z' },
          changeSinceFirst: -7,
          changeSincePrevious: -4,
          reliableChange: 'improvement',
          newSinceLastContact: 1,
          latestRiskItemPositive: false,
        },
        {
          instrument: 'gad7',
          first: { total: 12, at: '2026-11-23T18:05:00.000Z' },
          previous: { total: 11, at: '2026-12-06T18:05:00.000Z' },
          latest: { total: 9, at: '2026-12-13T18:05:00.000Z' },
          changeSinceFirst: -3,
          changeSincePrevious: -2,
          newSinceLastContact: 1,
          latestRiskItemPositive: false,
        },
      ],
      parts: {
        completed: [
          {
            flowId: 'anxiety',
            part: 2,
            startedAt: '2026-11-30T09:00:00.000Z',
            completedAt: '2026-12-08T09:00:00.000Z',
          },
        ],
        stalled: [],
        current: { flowId: 'anxiety', part: 3, startedAt: '2026-12-08T09:05:00.000Z' },
      },
      flaggedText: [
        {
          alertId: 'alert-1',
          tier: 'concern',
          text: 'ser ingen vits i noe av dette',
          matchedPhrase: 'ser ingen vits',
          at: '2026-12-10T21:00:00.000Z',
        },
      ],
      alerts: [
        {
          id: 'alert-1',
          kind: 'concern_text',
          tier: 'concern',
          priority: 'normal',
          text: 'ser ingen vits i noe av dette',
          matchedPhrase: 'ser ingen vits',
          channel: 'web',
          at: '2026-12-10T21:00:00.000Z',
          status: 'acknowledged',
        },
      ],
      agenda: {
        learned: [
          {
            key: 'workspace.review.agenda.part_completed',
            vars: { part: 2 },
            terms: { course: 'workspace.review.course.anxiety' },
          },
          {
            key: 'workspace.review.agenda.homework_done',
            vars: { count: 2 },
            terms: { kind: 'workspace.homework_type.anxiety.worry_diary' },
          },
          {
            key: 'workspace.review.agenda.homework_done',
            vars: { count: 1 },
            terms: { kind: 'workspace.homework_type.anxiety.worry_time_plan' },
          },
        ],
        helped: [
          {
            key: 'workspace.review.agenda.score_fell_reliably',
            vars: { instrument: 'PHQ-9', from: 15, to: 8 },
          },
          { key: 'workspace.review.agenda.score_fell', vars: { instrument: 'GAD-7', from: 11, to: 9 } },
        ],
        hard: [
          {
            key: 'workspace.review.agenda.alert',
            vars: { days: 3 },
            terms: { kind: 'workspace.alert.kind.concern_text' },
          },
          {
            key: 'workspace.review.agenda.homework_gap',
            vars: { days: 6 },
            terms: { kind: 'workspace.homework_type.anxiety.worry_diary' },
          },
        ],
        next: [
          {
            key: 'workspace.review.agenda.part_continue',
            vars: { part: 3 },
            terms: { course: 'workspace.review.course.anxiety' },
          },
          { key: 'workspace.review.agenda.goal', vars: { goal: 'Sove bedre' } },
          { key: 'workspace.review.agenda.goal', vars: { goal: 'Bekymre meg mindre på jobb' } },
        ],
      },
    });
  });

  it('marks a stalled part, an open alert first, a risk answer, a rise, and asks for a measurement', () => {
    const review = buildReview({
      ...history,
      now: new Date('2026-12-21T09:00:00.000Z'),
      lastContactAt: '2026-12-14T10:00:00.000Z',
      homework: history.homework,
      scores: [...history.scores, score('phq9', 14, '2026-12-13T19:00:00.000Z', true)],
      alerts: [
        { ...history.alerts[0]!, id: 'alert-2', status: 'open', priority: 'high', kind: 'crisis_text' },
      ],
    });
    expect(review.parts.stalled).toEqual([
      { flowId: 'anxiety', part: 3, startedAt: '2026-12-08T09:05:00.000Z', openDays: 12 },
    ]);
    expect(review.scores[0]).toMatchObject({ latest: { total: 14 }, newSinceLastContact: 0 });
    expect(review.agenda.hard.map((item) => [item.key, item.vars, item.terms])).toEqual([
      ['workspace.review.agenda.alert_open', { days: 10 }, { kind: 'workspace.alert.kind.crisis_text' }],
      ['workspace.review.agenda.item9', { instrument: 'PHQ-9' }, undefined],
      [
        'workspace.review.agenda.part_stalled',
        { part: 3, days: 12 },
        { course: 'workspace.review.course.anxiety' },
      ],
      [
        'workspace.review.agenda.homework_gap',
        { days: 13 },
        { kind: 'workspace.homework_type.anxiety.worry_diary' },
      ],
      [
        'workspace.review.agenda.homework_gap',
        { days: 8 },
        { kind: 'workspace.homework_type.anxiety.worry_time_plan' },
      ],
      ['workspace.review.agenda.no_homework', { days: 6 }, undefined],
    ]);
    expect(review.agenda.helped).toEqual([]);
    expect(review.agenda.next.at(-1)).toEqual({ key: 'workspace.review.agenda.measure' });
    // An open alert is shown whenever it was raised; flagged text only from the period.
    expect(review.alerts.map((a) => a.id)).toEqual(['alert-2']);
    expect(review.flaggedText).toEqual([]);
  });

  it('without a last contact reviews everything, and after part 6 suggests the ending', () => {
    const review = buildReview({
      ...history,
      lastContactAt: undefined,
      parts: [
        {
          flowId: 'anxiety',
          part: 6,
          startedAt: '2026-12-01T09:00:00.000Z',
          completedAt: '2026-12-09T09:00:00.000Z',
        },
      ],
      scores: [score('phq9', 20, '2026-12-01T09:00:00.000Z'), score('phq9', 26, '2026-12-09T09:00:00.000Z')],
    });
    expect(review.since).toBeUndefined();
    expect(review.homework.total).toBe(4);
    expect(review.agenda.hard).toContainEqual({
      key: 'workspace.review.agenda.score_rose_reliably',
      vars: { instrument: 'PHQ-9', from: 20, to: 26 },
    });
    expect(review.agenda.next[0]).toEqual({
      key: 'workspace.review.agenda.course_end',
      terms: { course: 'workspace.review.course.anxiety' },
    });
  });

  it('without a contact or a score asks for a first measurement, not one "since the last contact"', () => {
    const review = buildReview({ ...history, lastContactAt: undefined, scores: [], parts: [] });
    expect(review.agenda.next.at(-1)).toEqual({ key: 'workspace.review.agenda.measure_first' });
  });
});

describe('the review in words', () => {
  const t = (locale: 'nb' | 'en', item: AgendaItem) =>
    catalog.text(locale, item.key, {
      ...item.vars,
      ...Object.fromEntries(Object.entries(item.terms ?? {}).map(([k, v]) => [k, catalog.text(locale, v)])),
    });
  const alertAt = (at: string) =>
    buildReview({
      ...history,
      now: new Date('2026-12-14T09:00:00.000Z'),
      alerts: [{ ...history.alerts[0]!, at }],
    }).agenda.hard[0]!;

  it('says an alert of the last day, one day and several days ago in words, never "0 days ago"', () => {
    expect(t('nb', alertAt('2026-12-14T08:00:00.000Z'))).toBe(
      'Varsel (Bekymring i melding) det siste døgnet.',
    );
    expect(t('en', alertAt('2026-12-14T08:00:00.000Z'))).toBe(
      'Alert (Concern in a message) in the last 24 hours.',
    );
    expect(t('nb', alertAt('2026-12-13T08:00:00.000Z'))).toBe(
      'Varsel (Bekymring i melding) for 1 dag siden.',
    );
    expect(t('en', alertAt('2026-12-13T08:00:00.000Z'))).toBe('Alert (Concern in a message) 1 day ago.');
    expect(t('nb', alertAt('2026-12-11T08:00:00.000Z'))).toBe(
      'Varsel (Bekymring i melding) for 3 dager siden.',
    );
  });

  it('names the course once: no "Kurs: …: fortsett"', () => {
    const next = buildReview(history).agenda.next[0]!;
    expect(t('nb', next)).toBe('Kurset om angst og bekymring: fortsett med del 3.');
    expect(t('en', next)).toBe('The anxiety and worry course: carry on with part 3.');
  });

  it('counts homework in the singular and the plural', () => {
    const [, two, one] = buildReview(history).agenda.learned;
    expect(t('nb', two!)).toBe('Bekymringsdagbok: 2 registreringer siden forrige samtale.');
    expect(t('nb', one!)).toBe('Plan for bekymringstid: 1 registrering siden forrige samtale.');
    expect(t('en', one!)).toBe('Worry time plan: 1 entry since the last contact.');
  });
});
