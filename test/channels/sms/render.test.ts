import { describe, expect, it } from 'vitest';
import { countSegments, encodingOf } from '../../../src/channels/sms/gsm7.ts';
import { renderForSms, resolveNumberedChoice } from '../../../src/channels/sms/render.ts';

const sleepChoices = [
  { label: 'Godt', value: 'good' },
  { label: 'Middels', value: 'ok' },
  { label: 'Dårlig', value: 'bad' },
];

/** Whitespace-insensitive view of a text, to check that splitting loses and adds nothing. */
const words = (text: string) => text.split(/\s+/).filter(Boolean).join(' ');

function sentence(n: number): string {
  return `Dette er setning nummer ${n}, og den handler om hvordan du kan legge inn små pauser i løpet av dagen.`;
}

describe('renderForSms', () => {
  it('appends choices as numbered lines, one per line', () => {
    expect(renderForSms({ text: 'Hvordan har du sovet i natt?', choices: sleepChoices })).toEqual([
      'Hvordan har du sovet i natt?\n1 Godt\n2 Middels\n3 Dårlig',
    ]);
  });

  it('normalises text and labels to GSM-7', () => {
    const [body] = renderForSms({
      text: '«Bra jobba» – du er halvveis … 💪',
      choices: [{ label: 'Fortsett ’nå’', value: 'go' }],
    });
    expect(body).toBe('"Bra jobba" - du er halvveis ...\n1 Fortsett \'nå\'');
    expect(encodingOf(body ?? '')).toBe('GSM-7');
  });

  it('puts a multi-line label on one line', () => {
    expect(renderForSms({ text: 'Velg', choices: [{ label: 'Ja,\n  gjerne', value: 'yes' }] })).toEqual([
      'Velg\n1 Ja, gjerne',
    ]);
  });

  it('renders an empty reply as no SMS, and choices alone without a blank first line', () => {
    expect(renderForSms({ text: '' })).toEqual([]);
    expect(renderForSms({ text: ' 🙂 ' })).toEqual([]);
    expect(renderForSms({ text: '', choices: sleepChoices })).toEqual(['1 Godt\n2 Middels\n3 Dårlig']);
  });

  it('keeps a text of exactly maxSegments segments in one SMS and splits one character more', () => {
    const fits = `${'a'.repeat(454)} bbbb`;
    expect(countSegments(fits).segments).toBe(3);
    expect(renderForSms({ text: fits })).toEqual([fits]);
    expect(renderForSms({ text: `${fits}b` })).toEqual(['a'.repeat(454), 'bbbbb']);
    expect(renderForSms({ text: `${'a'.repeat(155)} b`, choices: [] }, { maxSegments: 1 })).toEqual([
      `${'a'.repeat(155)} b`,
    ]);
  });

  it('splits long text at sentence ends, each SMS within maxSegments', () => {
    const text = Array.from({ length: 12 }, (_, i) => sentence(i + 1)).join(' ');
    for (const maxSegments of [1, 2, 3]) {
      const parts = renderForSms({ text }, { maxSegments });
      expect(parts.length).toBeGreaterThan(1);
      for (const part of parts) {
        expect(countSegments(part).segments).toBeLessThanOrEqual(maxSegments);
        expect(part).toMatch(/^Dette .*dagen\.$/s);
      }
      expect(words(parts.join(' '))).toBe(words(text));
    }
  });

  it('prefers line breaks and sentence ends over a later space', () => {
    const text = `Første avsnitt er kort.\n\n${'ord '.repeat(30)}slutt uten punktum og fortsetter lenge ${'mer '.repeat(10)}`;
    const parts = renderForSms({ text }, { maxSegments: 1 });
    expect(parts[0]).toBe('Første avsnitt er kort.');
  });

  it('does not read "kl. 10" or "f.eks. dette" as the end of a sentence', () => {
    const text = `Dette er en lang innledning som tar plass. ${'Vi møtes kl. 10 og snakker f.eks. om søvn og pauser '.repeat(3)}`;
    const [first] = renderForSms({ text }, { maxSegments: 1 });
    expect(first).toBe('Dette er en lang innledning som tar plass.');
  });

  it('falls back to spaces when a sentence is too long, and never splits a word needlessly', () => {
    const text = Array.from({ length: 120 }, (_, i) => `ord${i}`).join(' ');
    const parts = renderForSms({ text }, { maxSegments: 1 });
    expect(parts.length).toBeGreaterThan(1);
    for (const part of parts) {
      expect(part.length).toBeLessThanOrEqual(160);
      expect(part).toMatch(/^ord\d+( ord\d+)*$/);
    }
    expect(words(parts.join(' '))).toBe(text);
  });

  it('cuts inside a word only when the word alone is too long', () => {
    expect(renderForSms({ text: 'x'.repeat(400) }, { maxSegments: 1 })).toEqual([
      'x'.repeat(160),
      'x'.repeat(160),
      'x'.repeat(80),
    ]);
    expect(renderForSms({ text: 'x'.repeat(400) }, { maxSegments: 2 })).toEqual([
      'x'.repeat(306),
      'x'.repeat(94),
    ]);
  });

  it('counts extension characters when splitting', () => {
    const text = `${'€'.repeat(79)} ${'€'.repeat(10)}`;
    const parts = renderForSms({ text }, { maxSegments: 1 });
    expect(parts).toEqual(['€'.repeat(79), '€'.repeat(10)]);
    expect(countSegments(parts[0] ?? '')).toEqual({ encoding: 'GSM-7', segments: 1, units: 158 });
  });

  it('keeps the question together with its numbered choices', () => {
    const intro = Array.from({ length: 4 }, (_, i) => sentence(i + 1)).join(' ');
    const question = 'Hvordan har du sovet den siste uken, sånn alt i alt?';
    // The last sentence and the question fit in one SMS, but not together with the choices.
    expect(countSegments(`${sentence(4)} ${question}`).segments).toBe(1);
    const parts = renderForSms({ text: `${intro} ${question}`, choices: sleepChoices }, { maxSegments: 1 });
    expect(parts).toHaveLength(5);
    expect(parts.at(-2)).toBe(sentence(4));
    expect(parts.at(-1)).toBe(`${question}\n1 Godt\n2 Middels\n3 Dårlig`);
    for (const part of parts) expect(countSegments(part).segments).toBe(1);
    expect(words(parts.join(' '))).toBe(words(`${intro} ${question} 1 Godt 2 Middels 3 Dårlig`));
  });

  it('adds the choices to the last part when they fit there', () => {
    const text = `${sentence(1)} ${sentence(2)} Passer det?`;
    const parts = renderForSms({ text, choices: [{ label: 'Ja', value: 'y' }] }, { maxSegments: 1 });
    expect(parts).toEqual([sentence(1), `${sentence(2)} Passer det?\n1 Ja`]);
  });

  it('sends choices on their own, split between lines, when nothing else fits', () => {
    const choices = Array.from({ length: 8 }, (_, i) => ({
      label: `Valg nummer ${i + 1} med en lang forklaring`,
      value: `v${i}`,
    }));
    const parts = renderForSms({ text: 'x'.repeat(150), choices }, { maxSegments: 1 });
    expect(parts[0]).toBe('x'.repeat(150));
    for (const part of parts.slice(1)) {
      expect(part).toMatch(/^(\d Valg nummer \d med en lang forklaring\n?)+$/);
      expect(countSegments(part).segments).toBe(1);
    }
    expect(parts.slice(1).join('\n').split('\n')).toHaveLength(8);
  });

  it('refuses a maxSegments that is not a positive integer', () => {
    expect(() => renderForSms({ text: 'x' }, { maxSegments: 0 })).toThrow(RangeError);
    expect(() => renderForSms({ text: 'x' }, { maxSegments: 1.5 })).toThrow(RangeError);
  });

  it('produces GSM-7 parts within the limit for random texts', () => {
    let seed = 7;
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const alphabet = ['a', 'ø', 'å', ' ', ' ', '. ', '? ', '\n', '€', '{', '«', '’', '😀', 'Ord', 'X'];
    for (let run = 0; run < 200; run += 1) {
      const length = Math.floor(random() * 900);
      let text = '';
      for (let i = 0; i < length; i += 1) text += alphabet[Math.floor(random() * alphabet.length)];
      const maxSegments = 1 + Math.floor(random() * 3);
      const parts = renderForSms({ text, choices: sleepChoices }, { maxSegments });
      for (const part of parts) {
        expect(encodingOf(part)).toBe('GSM-7');
        expect(part).not.toBe('');
        expect(countSegments(part).segments).toBeLessThanOrEqual(maxSegments);
      }
    }
  });
});

describe('resolveNumberedChoice', () => {
  it.each(['2', '2.', ' 2 ', '2)', '02', '2 .', '\n2\n'])('reads %j as option 2', (answer) => {
    expect(resolveNumberedChoice(answer, sleepChoices)).toBe('ok');
  });

  it.each(['middels', 'MIDDELS', ' Middels! ', 'Middels.'])('reads the label %j', (answer) => {
    expect(resolveNumberedChoice(answer, sleepChoices)).toBe('ok');
  });

  it('compares labels after GSM-7 normalisation', () => {
    expect(resolveNumberedChoice('dårlig', sleepChoices)).toBe('bad');
    expect(resolveNumberedChoice('DÅRLIG', sleepChoices)).toBe('bad');
    const choices = [{ label: 'Ikke i det hele tatt – aldri', value: '0' }];
    expect(resolveNumberedChoice('ikke i det hele tatt - aldri', choices)).toBe('0');
    expect(resolveNumberedChoice('２', sleepChoices)).toBe('ok');
  });

  it('accepts the option echoed with its number', () => {
    expect(resolveNumberedChoice('3 Dårlig', sleepChoices)).toBe('bad');
    expect(resolveNumberedChoice('3. dårlig', sleepChoices)).toBe('bad');
    expect(resolveNumberedChoice('2 Dårlig', sleepChoices)).toBeUndefined();
  });

  it.each(['0', '4', '22', '2 3', 'to', 'middels godt', '', '   ', 'jeg sov godt'])(
    'rejects %j',
    (answer) => {
      expect(resolveNumberedChoice(answer, sleepChoices)).toBeUndefined();
    },
  );

  it('reads a bare number as an option number even when a label is a number', () => {
    const choices = [
      { label: '0', value: 'zero' },
      { label: '1', value: 'one' },
    ];
    expect(resolveNumberedChoice('1', choices)).toBe('zero');
    expect(resolveNumberedChoice('0', choices)).toBeUndefined();
  });

  it('refuses a label that more than one choice has', () => {
    const choices = [
      { label: 'Ja', value: 'a' },
      { label: 'ja', value: 'b' },
    ];
    expect(resolveNumberedChoice('ja', choices)).toBeUndefined();
    expect(resolveNumberedChoice('2', choices)).toBe('b');
  });

  it('finds nothing without choices', () => {
    expect(resolveNumberedChoice('1', [])).toBeUndefined();
  });
});
