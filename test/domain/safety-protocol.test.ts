import { describe, expect, it } from 'vitest';
import {
  answerSafetyQuestion,
  openOnStaleAnswer,
  openSafetyMode,
  type SafetyMode,
} from '../../src/domain/safety/protocol.ts';
import {
  isSafeNowStatement,
  parseDangerAnswer,
  parseThoughtsAnswer,
} from '../../src/domain/safety/safe-answer.ts';

const crisis = openSafetyMode('crisis');
const concern = openSafetyMode('concern');
const danger: SafetyMode = { step: 'ask_danger', tier: 'crisis' };
const answer = (mode: SafetyMode, text: string, signal?: 'crisis' | 'concern') =>
  answerSafetyQuestion(mode, { text }, signal);

describe('the direct questions', () => {
  it('reads buttons, offered numbers and whole answers in nb, nn and en', () => {
    expect(parseThoughtsAnswer({ value: 'thoughts_unsure' })).toBe('unsure');
    expect(parseThoughtsAnswer({ text: '1' })).toBe('yes');
    expect(parseThoughtsAnswer({ text: '3' })).toBe('unsure');
    expect(parseThoughtsAnswer({ text: '4' })).toBeUndefined();
    expect(parseThoughtsAnswer({ text: 'Nei.' })).toBe('no');
    expect(parseThoughtsAnswer({ text: 'veit ikkje' })).toBe('unsure');
    expect(parseThoughtsAnswer({ text: "I don't know" })).toBe('unsure');
    expect(parseThoughtsAnswer({ text: 'nei men jeg vil dø' })).toBeUndefined();
    expect(parseDangerAnswer({ text: '2' })).toBe('no');
    expect(parseDangerAnswer({ text: '3' })).toBeUndefined();
    expect(parseDangerAnswer({ text: 'jeg er ikke trygg' })).toBe('yes');
    expect(parseDangerAnswer({ text: "I'm not safe" })).toBe('yes');
    expect(parseDangerAnswer({ text: 'vet ikke' })).toBeUndefined();
  });

  it('takes only an unnegated "I am safe now" as a way out', () => {
    expect(isSafeNowStatement('Jeg er trygg nå')).toBe(true);
    expect(isSafeNowStatement('eg er trygg no')).toBe(true);
    expect(isSafeNowStatement("I'm safe now")).toBe(true);
    expect(isSafeNowStatement('jeg er ikke trygg')).toBe(false);
    expect(isSafeNowStatement('not safe')).toBe(false);
    expect(isSafeNowStatement('trygg?')).toBe(false);
  });
});

describe('answerSafetyQuestion', () => {
  it('ends only on a clear no to thoughts or to danger, or a statement of being safe', () => {
    expect(answer(crisis, 'nei')).toEqual({ kind: 'end', answer: 'no_thoughts' });
    expect(answer(danger, 'nei')).toEqual({ kind: 'end', answer: 'not_in_danger' });
    expect(answer(danger, 'jeg er trygg nå')).toEqual({ kind: 'end', answer: 'safe_now' });
  });

  it('goes from thoughts to danger on yes or unsure, without urging', () => {
    expect(answer(crisis, 'ja')).toMatchObject({
      kind: 'ask',
      answer: 'has_thoughts',
      next: danger,
      urge: undefined,
    });
    expect(answer(crisis, 'vet ikke')).toMatchObject({ kind: 'ask', answer: 'unsure', next: danger });
  });

  it('treats "in danger", an unclear answer and more crisis talk as not safe', () => {
    expect(answer(danger, 'ja')).toMatchObject({
      kind: 'ask',
      answer: 'in_danger',
      urge: 'in_danger',
      next: danger,
    });
    expect(answer(danger, 'hæ?')).toMatchObject({
      kind: 'ask',
      answer: 'unclear',
      urge: 'unclear',
      next: danger,
    });
    expect(answer(crisis, 'kanskje i morgen')).toMatchObject({ kind: 'ask', next: { step: 'ask_thoughts' } });
    // "nei" with crisis talk is crisis talk, never an answer.
    expect(answer(crisis, 'nei jeg skal ta pillene', 'crisis')).toMatchObject({
      kind: 'ask',
      answer: 'crisis_talk',
      urge: 'in_danger',
      next: danger,
    });
    expect(answer(danger, 'jeg er trygg nå', 'crisis')).toMatchObject({ kind: 'ask', answer: 'crisis_talk' });
  });

  it('escalates a concern to a crisis on anything but a clear no', () => {
    expect(answer(concern, 'nei')).toEqual({ kind: 'end', answer: 'no_thoughts' });
    for (const text of ['ja', 'vet ikke', 'tja hmm']) {
      expect(answer(concern, text)).toMatchObject({ kind: 'ask', escalate: true, next: { tier: 'crisis' } });
    }
    expect(answer(concern, 'vil bare sove for alltid', 'concern')).toMatchObject({ escalate: true });
    expect(answer(crisis, 'ja')).toMatchObject({ escalate: false });
  });
});

describe('openOnStaleAnswer', () => {
  it('opens at the crisis tier as if the button had just answered its question', () => {
    expect(openOnStaleAnswer('thoughts_yes')).toEqual({
      asked: { step: 'ask_thoughts', tier: 'crisis' },
      decision: { kind: 'ask', answer: 'has_thoughts', next: danger, escalate: false, urge: undefined },
    });
    // "Vet ikke" was an answer to the thoughts question: it is not asked again, and it is not a concern.
    expect(openOnStaleAnswer('thoughts_unsure')).toEqual({
      asked: { step: 'ask_thoughts', tier: 'crisis' },
      decision: { kind: 'ask', answer: 'unsure', next: danger, escalate: false, urge: undefined },
    });
    // "Ja" to being in danger: urge 113 now and ask the danger question again.
    expect(openOnStaleAnswer('danger_yes')).toEqual({
      asked: danger,
      decision: { kind: 'ask', answer: 'in_danger', next: danger, escalate: false, urge: 'in_danger' },
    });
  });

  it('opens nothing on a "no" or on anything that is not a button of the protocol', () => {
    for (const value of ['thoughts_no', 'danger_no', 'danger_unsure', 'ja', '1', '', undefined]) {
      expect(openOnStaleAnswer(value)).toBeUndefined();
    }
  });
});
