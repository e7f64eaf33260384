/**
 * GSM 03.38 (3GPP TS 23.038) default alphabet: what fits in a 7-bit SMS, how many segments a text
 * costs, and how to bring any text into the alphabet. One character outside it switches the whole
 * message to UCS-2, which cuts a segment from 160 to 70 characters.
 */

/** The basic table without ESC (0x1B), which only introduces an extension character. */
const GSM7_BASIC =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?' +
  '¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';

/** The extension table: each character is sent as ESC + code, so it costs two septets. */
const GSM7_EXTENSION = '\f^{}\\[~]|€';

const BASIC = new Set(GSM7_BASIC);
const EXTENSION = new Set(GSM7_EXTENSION);

export type SmsEncoding = 'GSM-7' | 'UCS-2';

export interface SegmentCount {
  encoding: SmsEncoding;
  /** Number of SMS segments the text is sent as; 0 for an empty text. */
  segments: number;
  /** Septets for GSM-7 (extension characters count 2), UTF-16 code units for UCS-2. */
  units: number;
}

const GSM7_SINGLE = 160;
// A concatenated segment carries a 6-byte user data header, which takes 7 septets or 3 UCS-2 units.
const GSM7_MULTI = 153;
const UCS2_SINGLE = 70;
const UCS2_MULTI = 67;

export function isGsm7Char(ch: string): boolean {
  return BASIC.has(ch) || EXTENSION.has(ch);
}

export function encodingOf(text: string): SmsEncoding {
  for (const ch of text) {
    if (!isGsm7Char(ch)) return 'UCS-2';
  }
  return 'GSM-7';
}

/**
 * Counts segments the way a sender packs them: a GSM-7 escape sequence (ESC + character) is never
 * split between two segments, nor is a UTF-16 surrogate pair, so a segment may end one unit short.
 */
export function countSegments(text: string): SegmentCount {
  const encoding = encodingOf(text);
  const costs: number[] = [];
  for (const ch of text) {
    if (encoding === 'GSM-7') costs.push(EXTENSION.has(ch) ? 2 : 1);
    else costs.push(ch.length);
  }
  const units = costs.reduce((sum, cost) => sum + cost, 0);
  const single = encoding === 'GSM-7' ? GSM7_SINGLE : UCS2_SINGLE;
  const multi = encoding === 'GSM-7' ? GSM7_MULTI : UCS2_MULTI;
  if (units === 0) return { encoding, segments: 0, units };
  if (units <= single) return { encoding, segments: 1, units };
  let segments = 1;
  let used = 0;
  for (const cost of costs) {
    if (used + cost > multi) {
      segments += 1;
      used = 0;
    }
    used += cost;
  }
  return { encoding, segments, units };
}

/** Replacements for characters outside GSM-7 that have a close look-alike inside it. */
const REPLACEMENTS: Readonly<Record<string, string>> = {
  // Double quotes and guillemets
  '«': '"',
  '»': '"',
  '“': '"',
  '”': '"',
  '„': '"',
  '‟': '"',
  '″': '"',
  '〝': '"',
  '〞': '"',
  // Single quotes, apostrophes, accents used as apostrophes
  '‘': "'",
  '’': "'",
  '‚': "'",
  '‛': "'",
  '′': "'",
  '‹': "'",
  '›': "'",
  '´': "'",
  '`': "'",
  ʼ: "'",
  // Hyphens and dashes, including the minus sign
  '‐': '-',
  '‑': '-',
  '‒': '-',
  '–': '-',
  '—': '-',
  '―': '-',
  '−': '-',
  // Bullets and separators
  '•': '-',
  '‣': '-',
  '◦': '-',
  '⁃': '-',
  '∙': '-',
  '·': '-',
  '●': '-',
  '▪': '-',
  '…': '...',
  '\t': ' ',
  '\u2028': '\n',
  '\u2029': '\n',
  '\u0085': '\n',
  // Letters without a decomposition to a GSM-7 letter (ç, á, š ... lose their accent below)
  œ: 'oe',
  Œ: 'OE',
  ð: 'd',
  Ð: 'D',
  þ: 'th',
  Þ: 'Th',
  ł: 'l',
  Ł: 'L',
  đ: 'd',
  Đ: 'D',
  ı: 'i',
  ĸ: 'k',
  ŋ: 'n',
  Ŋ: 'N',
  // Symbols
  '×': 'x',
  '÷': '/',
  '⁄': '/',
  '∕': '/',
  '≤': '<=',
  '≥': '>=',
  '≠': '!=',
  '→': '->',
  '←': '<-',
  '©': '(c)',
  '®': '(R)',
  '¦': '|',
};

/**
 * Maps one code point to GSM-7 text: itself, a look-alike, its letters without accents, or ''
 * when nothing sensible exists (emoji, pictographs, scripts without a Latin look-alike).
 */
function toGsm7(ch: string): string {
  if (BASIC.has(ch) && ch !== '\r') return ch;
  const replacement = REPLACEMENTS[ch];
  if (replacement !== undefined) return replacement;
  if (ch === '\f') return '';
  if (EXTENSION.has(ch)) return ch;
  if (/^\p{Zs}$/u.test(ch)) return ' ';
  if (/^\p{C}$/u.test(ch)) return '';
  // Compatibility decomposition: "é"-like letters lose their accent, "ﬁ" becomes "fi", "½" "1⁄2".
  const decomposed = ch.normalize('NFKD').replace(/\p{M}/gu, '');
  if (decomposed === '' || decomposed === ch) return '';
  let out = '';
  for (const part of decomposed) {
    const mapped = BASIC.has(part) || EXTENSION.has(part) ? part : REPLACEMENTS[part];
    if (mapped === undefined) return '';
    out += mapped;
  }
  return out;
}

/**
 * Rewrites text so that every character is in the GSM-7 alphabet: typographic quotes, dashes and
 * ellipses become their ASCII forms, odd spaces become spaces, accented letters outside the
 * alphabet lose their accent (æ ø å é ü ö ä ñ à è ù ì ò Ç stay), and emoji are removed together
 * with the space they leave behind. Line breaks become "\n".
 */
export function normaliseForGsm7(text: string): string {
  let out = '';
  // True when a character was removed since the last kept non-space character, so that
  // "Bra 👍 jobba" becomes "Bra jobba" and not "Bra  jobba".
  let removed = false;
  for (const ch of text.replace(/\r\n?/g, '\n').normalize('NFC')) {
    const mapped = toGsm7(ch);
    if (mapped === '') {
      removed = true;
      continue;
    }
    for (const part of mapped) {
      if (part === ' ' && removed && (out === '' || out.endsWith(' ') || out.endsWith('\n'))) continue;
      if (part === '\n' && removed) out = out.replace(/ +$/, '');
      out += part;
      if (part !== ' ') removed = false;
    }
  }
  return removed ? out.replace(/ +$/, '') : out;
}
