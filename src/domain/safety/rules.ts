import { z } from 'zod';
import { err, ok, type Result } from '../result.ts';
import { normaliseForMatching } from './normalise.ts';
import { parsePattern } from './pattern.ts';
import { parseWord, spellings, WordIndex } from './vocabulary.ts';

/**
 * The safety rules as data (content/safety-phrases, described in its README.md): per language a lexicon of
 * concepts and exclusions, and one language-neutral rules.json that combines concepts into rules. This file
 * validates them and compiles them once into the form detect.ts runs on every message.
 */

/** Languages the safety lexicons cover: Bokmål, Nynorsk and English. */
export const SAFETY_LOCALES = ['nb', 'nn', 'en'] as const;
export type SafetyLocale = (typeof SAFETY_LOCALES)[number];

export const RISK_TIERS = ['crisis', 'concern'] as const;
export type RiskTier = (typeof RISK_TIERS)[number];
/** A rule of tier "part" never fires on its own: it is a building block that "all" rules name with #id. */
const RULE_TIERS = [...RISK_TIERS, 'part'] as const;
type RuleTier = (typeof RULE_TIERS)[number];

/** Concepts the detector itself relies on; rules.json must describe them and a lexicon must fill them. */
export const NEGATION = 'negation';
export const DENIAL = 'denial';
export const FILLER = 'filler';
export const CONTINUATION = 'continuation';
export const LAUGHTER = 'laughter';
/** Filled by the detector, not by a lexicon: any number written in digits, and one of 10 or more. */
export const NUMBER = 'number';
export const NUMBER10 = 'number10';
const SPECIAL_CONCEPTS = [NEGATION, DENIAL, FILLER, CONTINUATION, LAUGHTER, NUMBER, NUMBER10] as const;
const BUILT_IN: readonly string[] = [NUMBER, NUMBER10];

const conceptName = z.string().regex(/^[a-z][a-z0-9_]*$/, 'concept names are a-z, 0-9 and _');
const ruleId = z
  .string()
  .regex(/^[a-z][a-z0-9-]*(\.[a-z0-9-]+)*$/, 'rule ids are lower-case words joined by - and .');
const text = z.string().trim().min(1);

/**
 * The file schemas. `documented` (the files as written) requires what people and tests read beside the
 * rules: each rule's meaning and examples, each exclusion's examples, each concept's description. The
 * Workers bundle holds the files without those (`withoutDocumentation`, written at its build by
 * src/entry/worker-build.ts after the documented files passed): the same rules, 20 KiB gzip smaller.
 */
function fileSchemas(documented: boolean) {
  const examples = documented ? z.array(text).min(1) : z.array(text).optional();
  const lexicon = z.strictObject({
    $comment: z.string().optional(),
    concepts: z.record(conceptName, z.array(text).min(1)),
    exclusions: z.array(z.strictObject({ pattern: text, note: text.optional(), examples })),
    notTypos: z.array(text),
    homographs: z.array(text),
  });
  const rule = z
    .strictObject({
      id: ruleId,
      tier: z.enum(RULE_TIERS),
      means: documented ? text : text.optional(),
      match: z.array(text).min(1).optional(),
      all: z.array(text).min(2).optional(),
      unless: z.array(text).optional(),
      softenedBy: z.array(text).optional(),
      ifJoking: z.enum(['concern', 'none']).optional(),
      examples,
    })
    .refine((r) => (r.match === undefined) !== (r.all === undefined), {
      message: 'a rule has either "match" or "all", not both',
    });
  const rules = z.strictObject({
    $comment: z.string().optional(),
    gap: z.number().int().min(1).max(6),
    concepts: z.record(conceptName, documented ? text : z.string()),
    rules: z.array(rule).min(1),
  });
  return { lexicon, rule, rules };
}
const documentedSchemas = fileSchemas(true);
const bareSchemas = fileSchemas(false);
const lexiconFileSchema = documentedSchemas.lexicon;
const ruleSchema = documentedSchemas.rule;
const rulesFileSchema = documentedSchemas.rules;

export type LexiconFile = z.infer<typeof lexiconFileSchema>;
export type RulesFile = z.infer<typeof rulesFileSchema>;
export type RuleSource = z.infer<typeof ruleSchema>;
/** The files as the compiler reads them: documented, or without their documentation. */
type BareLexiconFile = z.infer<typeof bareSchemas.lexicon>;
type BareRulesFile = z.infer<typeof bareSchemas.rules>;

export interface SafetyFiles {
  readonly nb: unknown;
  readonly nn: unknown;
  readonly en: unknown;
  readonly rules: unknown;
}

export interface SafetyRulesIssue {
  /** nb, nn, en or rules: the file under content/safety-phrases. */
  readonly file: keyof SafetyFiles;
  readonly path: string;
  readonly message: string;
}

/** A key is a concept (even number) or a word spec (odd number), so spans of both share one list. */
export const conceptKey = (concept: number) => concept * 2;
export const wordKey = (word: number) => word * 2 + 1;

export type Element =
  | {
      readonly kind: 'options';
      readonly keys: readonly number[];
      /** `$` among the options: the end of the clause also does. */
      readonly orEnd: boolean;
      readonly optional: boolean;
      /** How many other words may stand before this part. */
      readonly gapBefore: number;
      /** Those words may include a negation (the gap was written `~`). */
      readonly overNegation: boolean;
    }
  | { readonly kind: 'any'; readonly gapBefore: number; readonly overNegation: boolean }
  | { readonly kind: 'end' };

export interface Pattern {
  readonly source: string;
  readonly elements: readonly Element[];
  /** Each group lists keys of which at least one must occur in a text for the pattern to have a chance. */
  readonly requires: readonly (readonly number[])[];
}

/** One part of an "all" rule: found when any of its patterns or any of its named rules matches. */
export interface Part {
  readonly patterns: readonly Pattern[];
  readonly rules: readonly number[];
}

export interface Rule {
  readonly id: string;
  readonly tier: RuleTier;
  readonly match?: readonly Pattern[];
  readonly all?: readonly Part[];
  readonly unless: readonly Pattern[];
  /** Any of these in the sentence makes a crisis match a concern ("innimellom", "no plan"). */
  readonly softenedBy: readonly Pattern[];
  readonly ifJoking?: 'concern' | 'none';
  readonly examples: readonly string[];
}

export interface Exclusion {
  readonly locale: SafetyLocale;
  readonly pattern: Pattern;
  readonly examples: readonly string[];
}

/** One lexicon entry: a concept's word or phrase, as word keys that must follow each other directly. */
export interface Entry {
  readonly concept: number;
  readonly words: readonly number[];
  /** Bit mask of the lexicons that list it: nb 1, nn 2, en 4. */
  readonly locales: number;
  /** It holds a word that is an ordinary word in another language once folded ("dø" → "do"). */
  readonly homograph: boolean;
}

/** The compiled rules; build with loadSafetyRules. */
export interface SafetyRules {
  readonly gap: number;
  readonly concepts: readonly string[];
  readonly words: WordIndex;
  readonly entriesByFirstWord: ReadonlyMap<number, readonly Entry[]>;
  readonly exclusions: readonly Exclusion[];
  /** Rules in the order they are tried: every crisis rule first, then concern, each in file order. */
  readonly rules: readonly Rule[];
  readonly special: {
    readonly negation: number;
    readonly denial: number;
    readonly filler: number;
    readonly continuation: number;
    readonly laughter: number;
    readonly number: number;
    readonly number10: number;
  };
}

export const localeBit = (locale: SafetyLocale) => 1 << SAFETY_LOCALES.indexOf(locale);

/**
 * Validates and compiles the four files under content/safety-phrases. With `documented: false` the
 * descriptions, notes and examples may be missing (the Workers bundle's form): compiled rules then have
 * no examples.
 */
export function loadSafetyRules(
  files: SafetyFiles,
  options: { documented?: boolean } = {},
): Result<SafetyRules, readonly SafetyRulesIssue[]> {
  const schemas = options.documented === false ? bareSchemas : documentedSchemas;
  const issues: SafetyRulesIssue[] = [];
  const zodIssues = (file: keyof SafetyFiles, error: z.ZodError) => {
    for (const issue of error.issues)
      issues.push({ file, path: issue.path.join('.'), message: issue.message });
  };
  const rulesFile = schemas.rules.safeParse(files.rules);
  if (!rulesFile.success) zodIssues('rules', rulesFile.error);
  const lexicons: Partial<Record<SafetyLocale, BareLexiconFile>> = {};
  for (const locale of SAFETY_LOCALES) {
    const parsed = schemas.lexicon.safeParse(files[locale]);
    if (parsed.success) lexicons[locale] = parsed.data;
    else zodIssues(locale, parsed.error);
  }
  if (!rulesFile.success || issues.length > 0) return err(issues);
  const compiled = compile(rulesFile.data, lexicons as Record<SafetyLocale, BareLexiconFile>, issues);
  return issues.length > 0 ? err(issues) : ok(compiled);
}

/**
 * The files without what only people and tests read: comments, concept descriptions, each rule's
 * meaning and examples, each exclusion's note and examples. Pass files that `loadSafetyRules` accepted.
 */
export function withoutDocumentation(files: SafetyFiles): SafetyFiles {
  const rules = files.rules as RulesFile;
  const lexicon = (file: unknown) => {
    const { $comment: _, exclusions, ...rest } = file as LexiconFile;
    return { ...rest, exclusions: exclusions.map(({ pattern }) => ({ pattern })) };
  };
  return {
    rules: {
      gap: rules.gap,
      concepts: Object.fromEntries(Object.keys(rules.concepts).map((name) => [name, ''])),
      rules: rules.rules.map(({ means: _, examples: __, ...rule }) => rule),
    },
    nb: lexicon(files.nb),
    nn: lexicon(files.nn),
    en: lexicon(files.en),
  };
}

function compile(
  rulesFile: BareRulesFile,
  lexicons: Record<SafetyLocale, BareLexiconFile>,
  issues: SafetyRulesIssue[],
): SafetyRules {
  const concepts = Object.keys(rulesFile.concepts);
  const conceptIds = new Map(concepts.map((name, index) => [name, index]));
  const words = new WordIndex();
  const entriesByFirstWord = new Map<number, Entry[]>();
  const filled = new Set<string>();

  for (const name of SPECIAL_CONCEPTS) {
    if (!conceptIds.has(name))
      issues.push({ file: 'rules', path: 'concepts', message: `the concept "${name}" is required` });
  }

  const notTypos: string[] = [];
  for (const locale of SAFETY_LOCALES) {
    const lexicon = lexicons[locale];
    const homographs = new Set(lexicon.homographs.map(normaliseForMatching));
    for (const [name, phrases] of Object.entries(lexicon.concepts)) {
      const concept = conceptIds.get(name);
      if (concept === undefined) {
        issues.push({
          file: locale,
          path: `concepts.${name}`,
          message: `"${name}" is not described in rules.json`,
        });
        continue;
      }
      filled.add(name);
      for (const [index, phrase] of phrases.entries()) {
        for (const spelling of spellings(phrase)) {
          const keys: number[] = [];
          let homograph = false;
          for (const written of spelling.split(/\s+/)) {
            const word = parseWord(written);
            if ('problem' in word) {
              issues.push({ file: locale, path: `concepts.${name}.${index}`, message: word.problem });
              continue;
            }
            for (const spec of word.specs) {
              keys.push(words.addWord(spec));
              if (homographs.has(spec.text)) homograph = true;
            }
          }
          if (keys.length > 0) {
            addEntry(entriesByFirstWord, { concept, words: keys, locales: localeBit(locale), homograph });
          }
        }
      }
    }
    for (const word of lexicon.notTypos) notTypos.push(...normaliseForMatching(word).split(' '));
  }
  for (const name of concepts) {
    if (!filled.has(name) && !BUILT_IN.includes(name)) {
      issues.push({
        file: 'rules',
        path: `concepts.${name}`,
        message: `no lexicon lists words for "${name}"`,
      });
    }
  }

  const compilePattern = (source: string, file: keyof SafetyFiles, path: string): Pattern | undefined => {
    const parsed = parsePattern(source);
    if (!parsed.ok) {
      issues.push({ file, path, message: parsed.problem });
      return undefined;
    }
    const elements: Element[] = [];
    const requires: number[][] = [];
    const gapOf = (gap: number | undefined) => gap ?? rulesFile.gap;
    for (const element of parsed.elements) {
      if (element.kind === 'end') {
        elements.push(element);
        continue;
      }
      if (element.kind === 'any') {
        elements.push({
          kind: 'any',
          gapBefore: gapOf(element.gapBefore),
          overNegation: element.overNegation,
        });
        continue;
      }
      const keys: number[] = [];
      let orEnd = false;
      for (const option of element.options) {
        if (option.kind === 'end') {
          orEnd = true;
          continue;
        }
        if (option.kind === 'word') {
          keys.push(wordKey(words.addWord(option.spec)));
          continue;
        }
        const concept = conceptIds.get(option.name);
        if (concept === undefined)
          issues.push({ file, path, message: `"${source}": unknown concept @${option.name}` });
        else keys.push(conceptKey(concept));
      }
      elements.push({
        kind: 'options',
        keys,
        orEnd,
        optional: element.optional,
        gapBefore: gapOf(element.gapBefore),
        overNegation: element.overNegation,
      });
      if (!element.optional && !orEnd) requires.push(keys);
    }
    return { source, elements, requires };
  };

  const exclusions: Exclusion[] = [];
  for (const locale of SAFETY_LOCALES) {
    for (const [index, exclusion] of lexicons[locale].exclusions.entries()) {
      const pattern = compilePattern(exclusion.pattern, locale, `exclusions.${index}.pattern`);
      if (pattern) exclusions.push({ locale, pattern, examples: exclusion.examples ?? [] });
    }
  }

  const ruleIndex = new Map<string, number>();
  for (const [index, rule] of rulesFile.rules.entries()) {
    if (ruleIndex.has(rule.id))
      issues.push({ file: 'rules', path: `rules.${index}.id`, message: `"${rule.id}" is used twice` });
    ruleIndex.set(rule.id, index);
  }
  const compiledRules = rulesFile.rules.map((rule, index): Rule => {
    const at = `rules.${index}`;
    const patterns = (list: readonly string[] | undefined, key: string) =>
      (list ?? []).flatMap((source, i) => compilePattern(source, 'rules', `${at}.${key}.${i}`) ?? []);
    // A part is a pattern, "#id" of a rule with "match", or both joined by "|": "@aftermath|#concern.hopeless".
    const all = rule.all?.map((source, i): Part => {
      const options = source.split('|');
      const named = options.filter((option) => option.startsWith('#'));
      const rest = options.filter((option) => !option.startsWith('#')).join('|');
      const targets: number[] = [];
      for (const name of named) {
        const target = ruleIndex.get(name.slice(1));
        if (target === undefined || rulesFile.rules[target]!.match === undefined) {
          issues.push({
            file: 'rules',
            path: `${at}.all.${i}`,
            message: `"${name}" must be #id of a rule that has "match"`,
          });
        } else targets.push(target);
      }
      const pattern = rest === '' ? undefined : compilePattern(rest, 'rules', `${at}.all.${i}`);
      return { patterns: pattern ? [pattern] : [], rules: targets };
    });
    return {
      id: rule.id,
      tier: rule.tier,
      ...(rule.match ? { match: patterns(rule.match, 'match') } : {}),
      ...(all ? { all } : {}),
      unless: patterns(rule.unless, 'unless'),
      softenedBy: patterns(rule.softenedBy, 'softenedBy'),
      ...(rule.ifJoking ? { ifJoking: rule.ifJoking } : {}),
      examples: rule.examples ?? [],
    };
  });
  // Evaluation order puts crisis first, then concern, then the parts; "#id" parts follow their rules.
  const order = RULE_TIERS.flatMap((tier) => compiledRules.filter((rule) => rule.tier === tier));
  const position = new Map(order.map((rule, index) => [rule, index]));
  const rules = order.map((rule) =>
    rule.all
      ? {
          ...rule,
          all: rule.all.map((part) => ({
            ...part,
            rules: part.rules.map((target) => position.get(compiledRules[target]!)!),
          })),
        }
      : rule,
  );

  words.finish(notTypos);
  return {
    gap: rulesFile.gap,
    concepts,
    words,
    entriesByFirstWord,
    exclusions,
    rules,
    special: {
      negation: conceptIds.get(NEGATION) ?? -1,
      denial: conceptIds.get(DENIAL) ?? -1,
      filler: conceptIds.get(FILLER) ?? -1,
      continuation: conceptIds.get(CONTINUATION) ?? -1,
      laughter: conceptIds.get(LAUGHTER) ?? -1,
      number: conceptIds.get(NUMBER) ?? -1,
      number10: conceptIds.get(NUMBER10) ?? -1,
    },
  };
}

/** Adds a lexicon entry; the same phrase listed by two lexicons is one entry that belongs to both. */
function addEntry(byFirst: Map<number, Entry[]>, entry: Entry): void {
  const list = byFirst.get(entry.words[0]!) ?? [];
  if (list.length === 0) byFirst.set(entry.words[0]!, list);
  const index = list.findIndex(
    (known) =>
      known.concept === entry.concept &&
      known.words.length === entry.words.length &&
      known.words.every((key, i) => key === entry.words[i]),
  );
  if (index < 0) list.push(entry);
  else {
    const known = list[index]!;
    list[index] = {
      ...known,
      locales: known.locales | entry.locales,
      homograph: known.homograph && entry.homograph,
    };
  }
}
