import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import en from '../../content/safety-phrases/en.json' with { type: 'json' };
import nb from '../../content/safety-phrases/nb.json' with { type: 'json' };
import nn from '../../content/safety-phrases/nn.json' with { type: 'json' };
import rules from '../../content/safety-phrases/rules.json' with { type: 'json' };
import { detectRisk, type RiskDetection } from '../../src/domain/safety/detect.ts';
import { normaliseForMatching } from '../../src/domain/safety/normalise.ts';
import { parsePattern } from '../../src/domain/safety/pattern.ts';
import { loadSafetyRules, SAFETY_LOCALES, type SafetyFiles } from '../../src/domain/safety/rules.ts';
import { tokenise } from '../../src/domain/safety/tokenise.ts';
import { parseWord, spellings, withinOneEdit } from '../../src/domain/safety/vocabulary.ts';

const files: SafetyFiles = { nb, nn, en, rules };
const loaded = loadSafetyRules(files);
if (!loaded.ok) throw new Error(`safety rules invalid: ${JSON.stringify(loaded.error)}`);
const safety = loaded.value;
const detect = (text: string) => detectRisk(text, safety);
const tierOf = (text: string) => detect(text).tier;

/**
 * Development examples, written for these tests and kept apart from the evaluation corpus
 * (test/safety/corpus): people's phrasing with typos, dialect, slang, missing æøå and no punctuation.
 */
const CRISIS: Readonly<Record<'nb' | 'nn' | 'en', readonly string[]>> = {
  nb: [
    'jeg tenker på å henge meg',
    'Jeg har kjøpt tabletter og skal ta dem alle i kveld',
    'Jeg har samlet piller',
    'jeg skal ta livet mitt',
    'Jeg har tenkt på å ta livet mitt.',
    'jeg vil ta livet av meg',
    'Noen ganger i natt skal jeg drepe meg selv',
    'jeg kommer til å ta en overdose',
    'har tatt alle sovetablettene mine',
    'tok 40 paracet for en time siden',
    'kuttet meg igjen i går kveld',
    'har skåret meg igjen',
    'skar meg i armen i natt',
    'jeg kutter meg når det blir for mye',
    'jeg har skrevet et avskjedsbrev',
    'dette er farvel',
    'ikke prøv å finne meg',
    'takk for alt. ha det',
    'unnskyld for alt, farvel',
    'har gitt bort tingene mine',
    'har planlagt alt, i kveld skjer det. takk for alt',
    'jeg har en plan for hvordan jeg skal dø',
    'vil dø i kveld',
    'skal hoppe foran toget',
    'tenker på å hoppe fra brua i natt',
    'står på taket nå',
    'har kjøpt tau',
    'sparer på sovetablettene til jeg har nok',
    'har googlet hvor mange paracet som skal til',
    'æ ska ta livet mitt',
    'e ska ta live av mæ i natt',
    'jeg vil bare kms',
    'tenker paa aa ta livet mitt',
    'skal ta selvmrod i kveld',
    'jeg skal begå selvmord',
    'har bestemt meg. har alt jeg trenger',
    'kommer ikke til å være i live neste uke',
    'i kveld blir min siste kveld',
    'har kutta meg og det blør mye',
  ],
  nn: [
    'eg tenkjer på å hengje meg',
    'eg har samla tablettar',
    'eg skal ta livet mitt',
    'eg vil drepe meg sjølv',
    'har teke alle pillane mine',
    'kutta meg att i natt',
    'dette er farvel. takk for alt',
    'ikkje let etter meg',
    'eg har ein plan for korleis eg skal døy',
    'skal hoppe framfor toget i kveld',
    'har kjøpt tau',
    'eg kjem ikkje til å vere her i morgon',
    'eg vil døy i natt',
    'har gjeve bort tinga mine',
  ],
  en: [
    "I'm going to take all my pills tonight",
    'i want to kill myself',
    'im gonna end my life',
    'i wanna kms',
    'been stockpiling my meds for weeks',
    'took the whole bottle an hour ago',
    'i cut myself again last night',
    'cut myself tonight and there is so much blood',
    'this is goodbye',
    'when you read this i will be gone',
    "don't try to find me",
    'thanks for everything. goodbye',
    'i have a plan for how to end it',
    'gonna jump off the bridge tonight',
    'im standing on the roof now',
    'bought a rope',
    'i want to die tonight',
    'im not going to be alive tomorrow',
    'i want to hang myself',
    'gonna throw myself in front of a train',
    'i already took them, dont tell anyone',
    'sorry for everything, i love you all. bye',
  ],
};

const CONCERN: Readonly<Record<'nb' | 'nn' | 'en', readonly string[]>> = {
  nb: [
    'vil helst bare dø',
    'jeg vil bare forsvinne',
    'skulle ønske jeg ikke våknet',
    'ser ingen vits',
    'ser ingen vits med noe lenger',
    'Jeg orker ikke mer.',
    'orker ikke mer nå',
    'jeg er bare en byrde for alle',
    'alle hadde hatt det bedre uten meg',
    'har lyst til å skade meg',
    'tenker på å kutte meg',
    'sliter med selvskading',
    'har selvmordstanker innimellom',
    'har tenkt på selvmord før',
    'vil ikke leve lenger',
    'ingen ville savnet meg',
    'livet er meningsløst',
    'det blir aldri bedre',
    'ser ingen utvei',
    'lei av livet',
    'hvorfor lever jeg egentlig',
    'burde vært død',
    'ingen vei ut av dette',
    'hadde ikke brydd meg om jeg døde',
    'jeg vil ikke mer',
    'klarer ikke mer',
    'æ orke itj meir',
    'vil bare slippe å våkne',
    'skulle onske jeg var dod',
    'tenker mye på døden',
  ],
  nn: [
    'eg vil berre døy',
    'eg orkar ikkje meir',
    'eg ser inga meining med noko',
    'eg er ei byrde for alle',
    'har lyst til å skade meg sjølv',
    'eg vil ikkje leve meir',
    'skulle ønskje eg ikkje fanst',
    'kvifor lever eg',
    'har hatt sjølvmordstankar i det siste',
  ],
  en: [
    'i want to die',
    'honestly just want to disappear',
    "i can't do this anymore",
    "what's the point",
    'nobody would miss me',
    "i'm a burden to everyone",
    'there is no reason to live',
    'i dont want to be here anymore',
    'i have the urge to self harm',
    'been having suicidal thoughts lately',
    'i wish i was never born',
    'everyone would be better off without me',
    'i hope i dont wake up tomorrow',
    "i'm so tired of living",
    'life is pointless',
    'i feel hopeless',
  ],
};

/** Ordinary messages that must not trigger: course answers, sleep diary, worries, idioms and jokes. */
const ORDINARY: readonly string[] = [
  // The issue's false alarms and the courses' own words
  'våkner klokka fire',
  'våkner klokka fire og får ikke sove igjen',
  'orker ikke mer enn ti minutter tur',
  'skar meg en brødskive',
  'Jeg orker ikke mer oppvask i dag, haha',
  'jeg orker ikke mer kaffe i dag',
  'Jeg klarer ikke mer enn 20 minutter på tredemølla',
  'Jeg kommer aldri til å sove godt igjen',
  'Jeg klarer ikke morgendagen hvis jeg ikke sover',
  'Dette rekker jeg aldri',
  'Hva om jeg blir syk?',
  'ta på joggeskoa og gå til hjørnet',
  'gå til postkassen klokka 11',
  'har en plan: gå til postkassen kl 11',
  'jeg har en plan for uka',
  'jeg har planlagt det. tar det på fredag',
  'la meg 23:30, sto opp 06:15',
  'våknet tre ganger i natt',
  'jeg ligger våken flere netter i uka',
  'tok en sovetablett i går',
  'Jeg har tatt medisinen min som vanlig',
  'har tatt sertralin i to uker, litt kvalm',
  'skal ta alle oppgavene i kveld',
  'tok alle trappene i stedet for heisen',
  'kjøpte tau til hengekøya',
  'ryddet i medisinskapet og leverte gamle piller på apoteket',
  'lest om søvnrestriksjon',
  // Idioms and jokes
  'Sjefen kommer til å drepe meg hvis jeg kommer for sent',
  'Jeg kunne drept for en kopp kaffe',
  'jeg døde av latter',
  'jeg dør av kjedsomhet',
  'Ungene tok livet av den nye lampa vår',
  'Jeg skal ta livet med ro i helgen',
  'Jeg skjøt meg selv i foten med den e-posten',
  'Jeg kuttet meg i fingeren da jeg lagde mat',
  'skar meg på en kniv på jobb',
  'Jeg skadet meg på kneet i fotball',
  'Jeg brente meg på stekepanna',
  'jeg drukner meg i arbeid',
  'kan jeg henge meg på?',
  'jeg henger meg opp i småting',
  'jeg kastet meg ut i det og ringte',
  'hoppet fra brua og badet hele dagen',
  'skal hoppe i sjøen i sommer',
  'det gir ingen mening',
  'det er ingen vits å gå tur når det regner sånn',
  'Jeg ga opp å slanke meg',
  'siste dag på jobb i dag',
  'takk for hjelpen, ha det bra',
  'ha det bra, snakkes i morgen',
  'takk for alt, kurset var nyttig',
  'står på perrongen nå',
  'sitter på toget nå',
  'går over brua nå',
  'kjører i tre timer i morgen',
  'jeg kjører trailer',
  'Vi snakket om selvmord i norsktimen',
  'broren min tok selvmord for to år siden',
  'nei, ingen tanker om å ta livet mitt',
  'har aldri skadet meg selv',
  // Nynorsk
  'eg vaknar klokka fire',
  'eg orkar ikkje meir oppvask no',
  'eg skar meg ei brødskive',
  'eg ser ingen vits i å lage middag berre til meg sjølv',
  'eg har teke medisinen min som vanleg',
  // English
  'I want to do yoga tonight',
  'I ran 5 kms this morning',
  'I took my life savings to the bank',
  'I want to take my life back',
  'I watched Suicide Squad last night',
  'coach made us run suicides',
  'this deadline is killing me',
  'I could kill for a coffee',
  "I'm dying to see that film",
  'my phone died',
  'I was dead tired',
  'I cut myself a slice of cake',
  'I cut myself shaving this morning',
  'I hurt myself at the gym',
  'There was no way out of that meeting',
  "I can't go on the trip next week",
  'i cant do this exercise',
  'what is the point of this exercise',
  "I'm going to kill it at the exam tomorrow",
  'I hope it does not rain tomorrow',
  'i take all my meds every morning',
  'bought a new rope for the boat',
  'what if i make a fool of myself',
  'proud of myself today',
  'overdosed on coffee today lol',
  'soon done with the diary',
  'im done with the homework',
  'thanks for the help, bye',
  'no thoughts of ending my life',
  'i never hurt myself',
];

/** Borderline ordinary messages that raise a concern (never a crisis): kept so the trade-off stays visible. */
const ACCEPTED_CONCERN = [
  "I don't want to be here, this party is boring",
  'Jeg vil ikke være her lenger, jeg vil flytte til byen',
] as const;

describe('normaliseForMatching', () => {
  it('folds æ ø å and their keyboard spellings to one form', () => {
    expect(normaliseForMatching('døden')).toBe('doden');
    expect(normaliseForMatching('doeden')).toBe('doden');
    expect(normaliseForMatching('være')).toBe(normaliseForMatching('vaere'));
    expect(normaliseForMatching('være')).toBe(normaliseForMatching('vere'));
    expect(normaliseForMatching('på')).toBe(normaliseForMatching('paa'));
    expect(normaliseForMatching('SJØLVMORD')).toBe('sjolvmord');
  });

  it('collapses repeated letters, deletes apostrophes, turns other punctuation into single spaces', () => {
    expect(normaliseForMatching('ikkkkke')).toBe('ike');
    expect(normaliseForMatching("Don't!!  go…")).toBe('dont go');
    expect(normaliseForMatching('ta.livet,mitt')).toBe('ta livet mit');
    expect(normaliseForMatching('22:30')).toBe('22 30');
  });

  it('deletes invisible format characters inside words, as the text shows them', () => {
    for (const invisible of [
      '\u00AD',
      '\u200B',
      '\u200C',
      '\u200D',
      '\u2060',
      '\uFEFF',
      '\u200E',
      '\u202E',
    ]) {
      expect(normaliseForMatching(`selv${invisible}mord`)).toBe('selvmord');
    }
  });
});

describe('a crisis message with invisible characters inside its words', () => {
  it('is still a crisis: a soft hyphen, zero-width spaces and joiners, a byte order mark', () => {
    for (const [text, invisible] of [
      ['jeg vil ta li{}vet mitt i natt', '\u00AD'],
      ['jeg vil ta li{}vet mitt i natt', '\u200B'],
      ['jeg vil ta liv{}et mitt i natt', '\u2060'],
      ['I want to k{}ill myself tonight', '\u200D'],
      ['I want to kill my{}self tonight', '\uFEFF'],
    ] as const) {
      expect(tierOf(text.replace('{}', invisible)), JSON.stringify(text)).toBe('crisis');
    }
  });
});

describe('tokenise', () => {
  it('keeps sentence ends and soft breaks between words', () => {
    const tokens = tokenise('Orker ikke mer. Oppvasken, altså 😂');
    expect(tokens.words).toEqual(['orker', 'ike', 'mer', 'opvasken', 'altsa']);
    expect(tokens.breaks).toEqual([2, 0, 0, 2, 1, 2]);
    expect(tokens.laughingEmoji).toBe(true);
  });

  it('reads a full stop inside a word as a space, not a sentence end', () => {
    expect(tokenise('ta.livet.mitt').breaks).toEqual([2, 0, 0, 2]);
    expect(tokenise('').words).toEqual([]);
  });
});

describe('word matching', () => {
  it('allows one typo on long words only, never in the first letter', () => {
    expect(withinOneEdit('selvmrod', 'selvmord')).toBe(true);
    expect(withinOneEdit('selmord', 'selvmord')).toBe(true);
    expect(withinOneEdit('selvmordd', 'selvmord')).toBe(true);
    expect(withinOneEdit('selvmard', 'selvmord')).toBe(true);
    expect(withinOneEdit('sjelmard', 'selvmord')).toBe(false);
    expect(tierOf('tenker på selvmrod hele tiden')).not.toBe('none');
    expect(tierOf('tenker på kelvmord hele tiden')).toBe('none');
  });

  it('rejects malformed words', () => {
    expect(parseWord('sel*')).toHaveProperty('problem');
    expect(parseWord('se*lv')).toHaveProperty('problem');
    expect(parseWord('!!!')).toHaveProperty('problem');
    expect(parseWord('=overdose')).toEqual({ specs: [{ kind: 'exact', text: 'overdose', typos: false }] });
  });

  it('reads a word split in two as one ("selv mord")', () => {
    expect(tierOf('tenker på selv mord')).toBe('concern');
  });

  it('reads dialect first-person and negation forms inside a phrase, not as single words', () => {
    expect(spellings('bestemt meg')).toEqual(expect.arrayContaining(['bestemt mæ', 'bestemt mej']));
    expect(spellings('jeg er ferdig')).toEqual(expect.arrayContaining(['eg er ferdig', 'æ er ferdig']));
    expect(spellings('ikke leve')).toEqual(expect.arrayContaining(['itj leve', 'ikkje leve']));
    expect(spellings('meg')).toEqual(['meg']);
    expect(spellings('i kveld')).toEqual(['i kveld']);
    expect(tierOf('e har tenkt å ta livet av mæ')).toBe('crisis');
  });

  it('reads "dø" typed as "do" only in a Norwegian text', () => {
    expect(tierOf('jeg vil do')).toBe('concern');
    expect(tierOf('I want to do it')).toBe('none');
  });
});

describe('pattern syntax', () => {
  it('accepts concepts, words, alternatives, optional parts, gaps and the clause end', () => {
    expect(parsePattern('@cope @negation @more|$').ok).toBe(true);
    expect(parsePattern('@want ...6 @die').ok).toBe(true);
    expect(parsePattern('@take @self? @life @my').ok).toBe(true);
    expect(parsePattern('@self ~5 @end_self').ok).toBe(true);
    expect(parsePattern('har|have + en|a plan').ok).toBe(true);
  });

  it('rejects two groups of alternative words side by side unless "+" says they are a sequence', () => {
    // "som|as vanlig|usual" looks like the options "som", "as vanlig", "usual" but reads as a sequence.
    expect(parsePattern('som|as vanlig|usual').ok).toBe(false);
    expect(parsePattern('som|as + vanlig|usual').ok).toBe(true);
    expect(parsePattern('som|as ... vanlig|usual').ok).toBe(true);
    // A phrase written as an option: "bridge|the bridge" would need "the" then "bridge".
    expect(parsePattern('@at_place bridge|the bridge').ok).toBe(false);
    for (const bad of ['+ @a', '@a +', '@a + ... @b', '@a ... + @b', '@a + + @b', '~ @a']) {
      expect(parsePattern(bad).ok, bad).toBe(false);
    }
  });

  it('rejects malformed patterns', () => {
    for (const bad of [
      '... @die',
      '@die ...',
      '@want ... ... @die',
      '$ @die',
      '@self? @die',
      '@die @self?',
      '@Bad',
      '@a $ @b',
      '',
    ]) {
      expect(parsePattern(bad).ok, bad).toBe(false);
    }
  });
});

describe('loadSafetyRules', () => {
  it('accepts the shipped files', () => {
    expect(loaded.ok).toBe(true);
  });

  it('reports bad shapes, unknown concepts, bad patterns, duplicate ids and bad rule references', () => {
    const withRules = (extra: unknown[]) =>
      loadSafetyRules({ ...files, rules: { ...rules, rules: [...rules.rules, ...extra] } });
    const messagesOf = (result: ReturnType<typeof loadSafetyRules>) =>
      result.ok
        ? ''
        : result.error.map((issue) => `${issue.file}:${issue.path}: ${issue.message}`).join('\n');
    const compiled = withRules([
      { id: 'crisis.x', tier: 'crisis', means: 'x', match: ['@nope'], examples: ['x'] },
      { id: 'crisis.x', tier: 'crisis', means: 'x', match: ['... @die'], examples: ['x'] },
      { id: 'crisis.y', tier: 'crisis', means: 'y', all: ['#crisis.missing', '@die'], examples: ['y'] },
    ]);
    expect(compiled.ok).toBe(false);
    expect(messagesOf(compiled)).toMatch(/unknown concept @nope/);
    expect(messagesOf(compiled)).toMatch(/"crisis\.x" is used twice/);
    expect(messagesOf(compiled)).toMatch(/"\.\.\." must stand between two parts/);
    expect(messagesOf(compiled)).toMatch(/#crisis\.missing/);
    const shape = withRules([
      { id: 'crisis.z', tier: 'crisis', means: 'z', match: ['@die'], all: ['@die', '@die'], examples: ['z'] },
    ]);
    expect(messagesOf(shape)).toMatch(/either "match" or "all"/);
    expect(messagesOf(loadSafetyRules({ ...files, en: { concepts: {} } }))).toMatch(/^en:/);
  });

  it('reports lexicon words that are malformed or belong to no described concept', () => {
    const bad = loadSafetyRules({
      ...files,
      nb: { ...nb, concepts: { ...nb.concepts, invented: ['x'], die: ['sel*'] } },
    });
    expect(bad.ok).toBe(false);
    if (bad.ok) return;
    expect(bad.error.map((issue) => issue.path)).toEqual(
      expect.arrayContaining(['concepts.invented', 'concepts.die.0']),
    );
  });
});

describe('the rules and exclusions as shipped', () => {
  it('fires every rule example at the rule tier (parts: at any tier)', () => {
    const wrong: string[] = [];
    for (const rule of rules.rules) {
      for (const example of rule.examples) {
        const detection = detect(example);
        const ok = rule.tier === 'part' ? detection.tier !== 'none' : detection.tier === rule.tier;
        if (!ok) wrong.push(`${rule.id}: ${example} → ${describeDetection(detection)}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('each exclusion silences its examples, which fire without it', () => {
    const lexicons = { nb, nn, en };
    for (const locale of SAFETY_LOCALES) {
      for (const exclusion of lexicons[locale].exclusions) {
        // The same exclusion may be listed by several lexicons: leave it out of all of them.
        const without = loadSafetyRules({
          ...files,
          ...Object.fromEntries(
            SAFETY_LOCALES.map((l) => [
              l,
              {
                ...lexicons[l],
                exclusions: lexicons[l].exclusions.filter((e) => e.pattern !== exclusion.pattern),
              },
            ]),
          ),
        });
        if (!without.ok) throw new Error('rules without one exclusion should load');
        for (const example of exclusion.examples) {
          expect(detect(example), `${locale} ${exclusion.pattern}: ${example}`).toEqual({ tier: 'none' });
          expect(
            detectRisk(example, without.value).tier,
            `needed? ${exclusion.pattern}: ${example}`,
          ).not.toBe('none');
        }
      }
    }
  });
});

describe('detectRisk', () => {
  for (const locale of SAFETY_LOCALES) {
    it(`detects crisis messages as crisis (${locale})`, () => {
      const missed = CRISIS[locale].filter((text) => tierOf(text) !== 'crisis');
      expect(missed.map((text) => `${text} → ${describeDetection(detect(text))}`)).toEqual([]);
    });

    it(`detects concern messages as concern (${locale})`, () => {
      const wrong = CONCERN[locale].filter((text) => tierOf(text) !== 'concern');
      expect(wrong.map((text) => `${text} → ${describeDetection(detect(text))}`)).toEqual([]);
    });
  }

  it('does not flag ordinary messages, course vocabulary, idioms and jokes', () => {
    const flagged = ORDINARY.filter((text) => tierOf(text) !== 'none');
    expect(flagged.map((text) => `${text} → ${describeDetection(detect(text))}`)).toEqual([]);
  });

  it("raises nothing on the service's own texts, so a client who echoes one raises no alarm", () => {
    // PHQ-9 item 9 and the safety texts name death and self-harm on purpose; every other text must be quiet
    // ("relapse plan", "breathe through your nose", "Språk" once were not). The workspace's texts are read
    // by staff, who must see the plain words; only its welcome card reaches a client.
    const staffOnly = (key: string) => key.startsWith('workspace.') && !key.startsWith('workspace.card.');
    const flagged: string[] = [];
    for (const locale of ['nb', 'en']) {
      const dir = join(import.meta.dirname, '../../content', locale);
      for (const file of readdirSync(dir).filter((f) => !['instruments.json', 'safety.json'].includes(f))) {
        const texts = JSON.parse(readFileSync(join(dir, file), 'utf8')) as Record<string, string>;
        for (const [key, text] of Object.entries(texts)) {
          if (staffOnly(key)) continue;
          const detection = detect(text);
          if (detection.tier !== 'none') flagged.push(`${locale} ${key}: ${describeDetection(detection)}`);
        }
      }
    }
    expect(flagged).toEqual([]);
  });

  it('raises only a concern on the accepted borderline messages', () => {
    expect(ACCEPTED_CONCERN.map(tierOf)).toEqual(ACCEPTED_CONCERN.map(() => 'concern'));
  });

  it('reports the rule, the language and the matched words', () => {
    expect(detect('Jeg har samlet piller')).toEqual({
      tier: 'crisis',
      rule: 'crisis.means-prepared',
      locale: 'nb',
      evidence: 'samlet … piler',
    });
    expect(detect('eg orkar ikkje meir')).toMatchObject({
      tier: 'concern',
      rule: 'concern.exhausted',
      locale: 'nn',
    });
    expect(detect('I want to kill myself')).toMatchObject({
      tier: 'crisis',
      locale: 'en',
      evidence: 'kil myself',
    });
  });

  it('prefers crisis over concern in the same message', () => {
    expect(detect('orker ikke mer, skal ta alle pillene i kveld')).toMatchObject({ tier: 'crisis' });
  });

  it('softens a crisis match after a negation, without a plan or when joking, and drops a denial', () => {
    expect(detect("I'm not going to kill myself")).toMatchObject({
      tier: 'concern',
      rule: 'crisis.take-life:negated',
    });
    expect(detect('tenker på å ta livet mitt innimellom, men har ingen plan')).toMatchObject({
      tier: 'concern',
      rule: 'crisis.take-life:softened',
    });
    expect(detect('ta livet av meg lol')).toMatchObject({ tier: 'concern', rule: 'crisis.take-life:joking' });
    expect(detect('eksamen i morgen kms 💀')).toMatchObject({ tier: 'concern' });
    expect(tierOf('har aldri tenkt på selvmord')).toBe('none');
    // A denial also reaches a match that starts inside it right after its negation, or after "å" / "to";
    // a denial that does not start with a negation ("nei ingen") leaves "ingen vits" alone.
    expect(tierOf('har ikke tenkt på å skade meg, bare sliten')).toBe('none');
    expect(tierOf('eg har aldri tenkt på å skade meg sjølv')).toBe('none');
    expect(tierOf('nei ingen vits')).toBe('concern');
  });

  it('lets a "~" gap step over a negation, where "..." stops at it', () => {
    expect(detect("i don't see a future for myself")).toMatchObject({ tier: 'concern' });
    expect(detect('eg ser inga framtid')).toMatchObject({ tier: 'concern' });
  });

  it('reads the writer with any word for the end of the self as a concern (the safety net)', () => {
    for (const text of [
      'æ e bare et spøkelse',
      'eg er ei byrde for alle',
      'i feel like a ghost in my own house',
      'there is no place for me',
      'mørket tar aldri slutt',
      'jeg kommer ikke hjem.',
    ]) {
      expect(tierOf(text), text).not.toBe('none');
    }
    for (const text of [
      "i'm fading, going to bed",
      'my anxiety disappeared during the walk',
      'jeg er ikke redd for å dø, bare for tannlegen',
      'i went to the funeral and i cried',
      'jeg grav i hagen hele dagen',
      'i made a grave mistake at work',
      "i'm not driving back tonight, staying at mum's",
    ]) {
      expect(tierOf(text), text).toBe('none');
    }
  });

  it('does not let folding turn an English word into a Norwegian one of another meaning', () => {
    // "soon" folds to "son", as "sønn" does: it must not read as someone else and switch rules off.
    expect(tierOf('i will be dead soon')).not.toBe('none');
    // "takk" folds to "tak" (a roof): thanks must not read as a high place.
    expect(tierOf('takk for i dag, snakkes')).toBe('none');
  });

  it('returns none for empty or symbol-only text', () => {
    expect(detect('')).toEqual({ tier: 'none' });
    expect(detect('🙂 !!!')).toEqual({ tier: 'none' });
  });

  it('gives the same answer on repeated calls (the word cache changes nothing)', () => {
    const text = 'Jeg har kjøpt tabletter og skal ta dem alle i kveld';
    expect(detect(text)).toEqual(detect(text));
  });
});

function describeDetection(detection: RiskDetection): string {
  return detection.tier === 'none' ? 'none' : `${detection.tier} ${detection.rule} «${detection.evidence}»`;
}
