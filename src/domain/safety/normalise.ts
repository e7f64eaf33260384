/**
 * Folds free text to a canonical ASCII form so that spelling variants compare equal. Phrase lists and
 * inbound text MUST go through this same function; matching then happens on the folded forms.
 *
 * Steps, in order:
 * 0. invisible format characters are deleted (a soft hyphen, zero-width spaces and joiners, the byte
 *    order mark, direction marks: Unicode category Cf), so that "selv\u00ADmord" reads as it shows;
 * 1. lower case;
 * 2. Norwegian letters to ASCII: ø → o, æ → e, å (and any other accented letter) → its base letter;
 * 3. apostrophes are deleted ("don't" → "dont"), every other non-alphanumeric becomes a space;
 * 4. every run of the same letter collapses to one ("ikke" → "ike", "selvmordddd" → "selvmord");
 * 5. the keyboard spellings of ø and æ fold too: "oe" → "o", "ae" → "e" (so "døden", "doeden" and
 *    "doden" all become "doden"; "være", "vaere" and Nynorsk "vere" all become "vere"; "aa" for å is
 *    already handled by step 4), then runs collapse again;
 * 6. whitespace collapses to single spaces, trimmed.
 *
 * The folding is lossy on purpose ("of"/"off", "dø"/"do" become equal): only ever compare folded text
 * with folded text, and write phrases so that such collisions cannot cause a match on their own.
 */
export function normaliseForMatching(text: string): string {
  const folded = text
    .replace(/\p{Cf}/gu, '')
    .toLowerCase()
    .replace(/ø/g, 'o')
    .replace(/æ/g, 'e')
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .replace(/['’‘`´ʼ]/g, '')
    .replace(/[^a-z0-9]+/g, ' ');
  return collapseRuns(collapseRuns(folded).replace(/oe/g, 'o').replace(/ae/g, 'e'))
    .replace(/\s+/g, ' ')
    .trim();
}

/** Runs of one letter become a single letter; digits are left alone ("22" stays "22"). */
function collapseRuns(text: string): string {
  return text.replace(/([a-z])\1+/g, '$1');
}
