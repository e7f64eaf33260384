import { describe, expect, it } from 'vitest';
import { parseAnswer } from '../../src/domain/answer-parse.ts';

describe('parseAnswer', () => {
  it.each([
    ['0', 0],
    ['1', 1],
    ['2', 2],
    ['3', 3],
    [' 2 ', 2],
    ['2.', 2],
    ['(3)', 3],
    ['«1»', 1],
    ['0!', 0],
    ['2️⃣', 2],
    ['\n3\n', 3],
  ] as const)('reads the digit in %j as %i', (text, value) => {
    expect(parseAnswer(text)).toBe(value);
  });

  it.each([
    ['Ikke i det hele tatt', 0],
    ['ikke i det hele tatt', 0],
    ['IKKE I DET HELE TATT!', 0],
    ['ikke', 0],
    ['Ikke.', 0],
    ['ikkje', 0],
    ['ikkje i det heile tatt', 0],
    ['ikkeidethele tatt', 0],
    ['ikke i det helle tatt', 0],
    ['ikke i det hele tat', 0],
    ['aldri', 0],
    ['Not at all', 0],
    ['not at all.', 0],
    ['notatall', 0],
    ['never', 0],
    ['Noen dager', 1],
    ['noen  dager', 1],
    ['noendager', 1],
    ['noen få dager', 1],
    ['nokre dagar', 1],
    ['noen dagr', 1],
    ['Several days', 1],
    ['several  days', 1],
    ['sevral days', 1],
    ['some days', 1],
    ['Mer enn halvparten av dagene', 2],
    ['mer enn halvparten', 2],
    ['Mer en halvparten av dagene', 2],
    ['merennhalvparten', 2],
    ['meir enn halvparten av dagane', 2],
    ['mer enn halvpartn av dagene', 2],
    ['More than half the days', 2],
    ['more than half', 2],
    ['more then half the days', 2],
    ['More than half of the days', 2],
    ['Nesten hver dag', 3],
    ['nesten hverdag', 3],
    ['nestenhver dag', 3],
    ['NESTEN HVER DAG', 3],
    ['næsten hver dag', 3],
    ['naesten hver dag', 3],
    ['nesten kvar dag', 3],
    ['hver dag', 3],
    ['Nearly every day', 3],
    ['nearly everyday', 3],
    ['almost every day', 3],
    ['every day', 3],
    ['nearly evry day', 3],
  ] as const)('reads %j as %i', (text, value) => {
    expect(parseAnswer(text)).toBe(value);
  });

  it.each([
    ['2 - mer enn halvparten', 2],
    ['3 nesten hver dag', 3],
    ['Nearly every day (3)', 3],
    ['0 ikke i det hele tatt', 0],
  ] as const)('reads a digit with agreeing words %j as %i', (text, value) => {
    expect(parseAnswer(text)).toBe(value);
  });

  it.each([
    '',
    '   ',
    '?',
    '4',
    '10',
    '-1',
    '1.5',
    '2 eller 3',
    '1-2',
    '23',
    '2 dager',
    '3 - noen dager',
    'ja',
    'nei',
    'kanskje',
    'av og til',
    'sometimes',
    'ofte',
    'ikke hver dag',
    'not every day',
    'ikke nesten hver dag',
    'mindre enn halvparten',
    'less than half the days',
    'noen ganger',
    'hver annen dag',
    'jeg vet ikke',
    'I do not know',
    'stopp',
  ])('gives undefined for %j', (text) => {
    expect(parseAnswer(text)).toBeUndefined();
  });
});
