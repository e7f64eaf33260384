import { describe, expect, it } from 'vitest';
import { countSegments, encodingOf, isGsm7Char, normaliseForGsm7 } from '../../../src/channels/sms/gsm7.ts';

/** GSM 03.38 basic table, row by row as printed in the standard (0x1B ESC left out). */
const BASIC_TABLE = [
  '@£$¥èéùìòÇ\nØø\rÅå',
  'Δ_ΦΓΛΩΠΨΣΘΞÆæßÉ',
  ' !"#¤%&\'()*+,-./',
  '0123456789:;<=>?',
  '¡ABCDEFGHIJKLMNO',
  'PQRSTUVWXYZÄÖÑÜ§',
  '¿abcdefghijklmno',
  'pqrstuvwxyzäöñüà',
].join('');

const EXTENSION_TABLE = '\f^{}\\[~]|€';

describe('encodingOf', () => {
  it('accepts the whole basic and extension tables as GSM-7', () => {
    expect([...BASIC_TABLE]).toHaveLength(127);
    expect(encodingOf(BASIC_TABLE)).toBe('GSM-7');
    expect(encodingOf(EXTENSION_TABLE)).toBe('GSM-7');
  });

  it('keeps the Norwegian and other letters of the basic table in GSM-7', () => {
    expect(encodingOf('æøåÆØÅéÉüÜöÖäÄñÑàèùìòÇß')).toBe('GSM-7');
  });

  it.each(['«', '»', '’', '“', '–', '—', '…', '😀', 'ç', 'á', '`', '\u00a0', '\t', '\u001b'])(
    'switches to UCS-2 for %j',
    (ch) => {
      expect(isGsm7Char(ch)).toBe(false);
      expect(encodingOf(`Hei ${ch} du`)).toBe('UCS-2');
    },
  );
});

describe('normaliseForGsm7', () => {
  it('replaces typographic punctuation with ASCII', () => {
    expect(normaliseForGsm7('«Hei», sa hun – “kom” … ‘nå’ — ok „ja“')).toBe(
      '"Hei", sa hun - "kom" ... \'nå\' - ok "ja"',
    );
  });

  it('turns odd spaces into spaces, bullets into hyphens and line endings into \\n', () => {
    expect(normaliseForGsm7('a\u00a0b\u202fc\u2009d\te')).toBe('a b c d e');
    expect(normaliseForGsm7('• én\r\n• to\r◦ tre\u2028fire')).toBe('- én\n- to\n- tre\nfire');
  });

  it('keeps the letters GSM-7 has and strips accents from the others', () => {
    expect(normaliseForGsm7('Blåbærsyltetøy på Ærø, café, Müller, Ñandú, à la, Çelik')).toBe(
      'Blåbærsyltetøy på Ærø, café, Müller, Ñandu, à la, Çelik',
    );
    expect(normaliseForGsm7('Émile Åsa naïve façade Łódź Œuvre Þór ﬁnt ½')).toBe(
      'Émile Åsa naive facade Lodz OEuvre Thor fint 1/2',
    );
    expect(normaliseForGsm7('Ç ç')).toBe('Ç c');
  });

  it('composes decomposed input before mapping, so "å" written as a + ring stays "å"', () => {
    expect(normaliseForGsm7('a\u030ar e\u0301')).toBe('år é');
  });

  it('removes emoji and the space they leave behind', () => {
    expect(normaliseForGsm7('Bra jobba 👍 i dag')).toBe('Bra jobba i dag');
    expect(normaliseForGsm7('🙂 Hei')).toBe('Hei');
    expect(normaliseForGsm7('Takk 🙏\nHa det ❤️')).toBe('Takk\nHa det');
    expect(normaliseForGsm7('Familie: 👨‍👩‍👧 og 1️⃣')).toBe('Familie: og 1');
    expect(normaliseForGsm7('😀')).toBe('');
  });

  it('removes zero-width and control characters', () => {
    expect(normaliseForGsm7('se\u00adpa\u200bra\ufeffte\u0007')).toBe('separate');
    expect(normaliseForGsm7('a\u001bb')).toBe('ab');
  });

  it('keeps extension characters and intended double spaces', () => {
    expect(normaliseForGsm7('Pris: 50 € [inkl. mva] {x} ~ | ^ \\')).toBe(
      'Pris: 50 € [inkl. mva] {x} ~ | ^ \\',
    );
    expect(normaliseForGsm7('to  mellomrom')).toBe('to  mellomrom');
  });

  it('always produces GSM-7 and is idempotent', () => {
    const inputs = [
      '«Hvordan har du det?» – svar 1–3 …',
      'Ελληνικά Кириллица 中文 العربية',
      '💪🏽 Du klarer det! ✔︎ ✅',
      'ｆｕｌｌｗｉｄｔｈ ①②③ ™ ℃ ² ≥ → ×',
    ];
    for (const input of inputs) {
      const once = normaliseForGsm7(input);
      expect(encodingOf(once)).toBe('GSM-7');
      expect(normaliseForGsm7(once)).toBe(once);
    }
  });
});

describe('countSegments', () => {
  const gsm = (n: number) => 'a'.repeat(n);
  const ucs = (n: number) => 'ж'.repeat(n);

  it.each([
    [0, 0],
    [1, 1],
    [160, 1],
    [161, 2],
    [306, 2],
    [307, 3],
    [459, 3],
    [460, 4],
  ])('GSM-7: %i characters take %i segments', (length, segments) => {
    expect(countSegments(gsm(length))).toEqual({ encoding: 'GSM-7', segments, units: length });
  });

  it.each([
    [70, 1],
    [71, 2],
    [134, 2],
    [135, 3],
    [201, 3],
    [202, 4],
  ])('UCS-2: %i characters take %i segments', (length, segments) => {
    expect(countSegments(ucs(length))).toEqual({ encoding: 'UCS-2', segments, units: length });
  });

  it('counts one non-GSM character as turning the whole text into UCS-2', () => {
    expect(countSegments(`${gsm(69)}’`)).toEqual({ encoding: 'UCS-2', segments: 1, units: 70 });
    expect(countSegments(`${gsm(70)}’`)).toEqual({ encoding: 'UCS-2', segments: 2, units: 71 });
  });

  it('counts extension characters as two septets', () => {
    expect(countSegments(`${gsm(158)}€`)).toEqual({ encoding: 'GSM-7', segments: 1, units: 160 });
    expect(countSegments(`${gsm(159)}€`)).toEqual({ encoding: 'GSM-7', segments: 2, units: 161 });
    expect(countSegments('{}[]'.repeat(20))).toEqual({ encoding: 'GSM-7', segments: 1, units: 160 });
    expect(countSegments(`${'{}[]'.repeat(20)}a`)).toEqual({ encoding: 'GSM-7', segments: 2, units: 161 });
  });

  it('never splits an escape sequence across segments', () => {
    // 152 + 2 would straddle the 153-septet boundary, so "€" starts segment 2.
    expect(countSegments(`${gsm(152)}€${gsm(151)}`)).toEqual({ encoding: 'GSM-7', segments: 2, units: 305 });
    expect(countSegments(`${gsm(152)}€${gsm(152)}`)).toEqual({ encoding: 'GSM-7', segments: 3, units: 306 });
    // The same total without a straddling escape fits two segments.
    expect(countSegments(`${gsm(151)}€${gsm(153)}`)).toEqual({ encoding: 'GSM-7', segments: 2, units: 306 });
    expect(countSegments('€'.repeat(153))).toEqual({ encoding: 'GSM-7', segments: 3, units: 306 });
  });

  it('counts UTF-16 code units and never splits a surrogate pair', () => {
    expect(countSegments('😀'.repeat(35))).toEqual({ encoding: 'UCS-2', segments: 1, units: 70 });
    expect(countSegments(`${ucs(66)}😀${ucs(65)}`)).toEqual({ encoding: 'UCS-2', segments: 2, units: 133 });
    expect(countSegments(`${ucs(66)}😀${ucs(66)}`)).toEqual({ encoding: 'UCS-2', segments: 3, units: 134 });
    expect(countSegments(`${ucs(65)}😀${ucs(67)}`)).toEqual({ encoding: 'UCS-2', segments: 2, units: 134 });
  });
});
