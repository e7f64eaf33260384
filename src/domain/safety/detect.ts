import {
  conceptKey,
  type Element,
  type Pattern,
  type RiskTier,
  type Rule,
  SAFETY_LOCALES,
  type SafetyLocale,
  type SafetyRules,
  wordKey,
} from './rules.ts';
import { type Break, NO_BREAK, SENTENCE_BREAK, SOFT_BREAK, tokenise } from './tokenise.ts';

/**
 * Risk detection on free text in two tiers (CLINICAL.md §3), on every inbound message before any flow.
 * The words and rules are data (content/safety-phrases); this is the machine that runs them:
 * 1. fold and split the text into words, keeping sentence ends and soft breaks (tokenise.ts);
 * 2. find every lexicon concept in it, with typos and split words forgiven (vocabulary.ts);
 * 3. hide what an exclusion matches (known idioms, the courses' own words);
 * 4. try the rules, crisis before concern, skipping at once every rule whose concepts are absent
 *    (most messages have none; `npm run eval:safety` prints the time per message);
 * 5. a crisis match with a negation just before it ("har aldri tenkt på selvmord") or in a joking
 *    message (when the rule says so) counts as concern: the service still asks directly.
 */

export type { RiskTier, SafetyLocale, SafetyRules };

export type RiskDetection =
  | { readonly tier: 'none' }
  | {
      readonly tier: RiskTier;
      readonly rule: string;
      readonly locale: SafetyLocale;
      readonly evidence: string;
    };

const NONE: RiskDetection = { tier: 'none' };

interface Span {
  readonly key: number;
  readonly end: number;
}

interface Analysis {
  readonly words: readonly string[];
  readonly breaks: readonly Break[];
  /** Spans of concepts and word specs, by the word they start at. */
  readonly spansAt: Span[][];
  readonly present: Set<number>;
  readonly negation: Uint8Array;
  /**
   * denialEnds[i]: a denial ("har aldri", "ingen tanker om", "never") ends just before word i (or before an
   * infinitive marker just before it), or word i follows the denial's negation inside the denial.
   */
  readonly denialEnds: Uint8Array;
  readonly blocked: Uint8Array;
  /** Per word, the lexicons (bit mask nb 1, nn 2, en 4) whose entries cover it. */
  readonly locales: Uint8Array;
  readonly laughing: boolean;
  /** Keys of the words "$" may step over: the concepts filler and laughter. */
  readonly trailing: readonly number[];
}

interface Match {
  readonly start: number;
  readonly end: number;
  readonly negated: boolean;
  /** A denial stands right before the match: it does not count at all. */
  readonly denied: boolean;
  /** Something in its sentence softens it (the rule's softenedBy): a crisis match counts as concern. */
  readonly softened?: boolean;
  readonly evidence: string;
}

/** Infinitive markers, folded ("å" → "a"), that may stand between a denial and what it denies. */
const INFINITIVE: ReadonlySet<string> = new Set(['a', 'to']);

/** How many words before a crisis match are searched for a negation ("ikke", "never") that softens it. */
const NEGATION_LOOKBACK = 3;

export function detectRisk(text: string, rules: SafetyRules): RiskDetection {
  const analysis = analyse(text, rules);
  if (analysis === undefined) return NONE;
  let concern: { rule: Rule; match: Match; suffix: string } | undefined;
  const memo = new Map<number, Match | null>();
  const candidates = candidateRules(rules, analysis.present);
  for (const [index, rule] of rules.rules.entries()) {
    if (rule.tier === 'part') break;
    if (!candidates[index] || !possible(rule, rules, analysis)) continue;
    const match = matchRule(index, rules, analysis, memo);
    if (!match) continue;
    let tier: RiskTier = rule.tier;
    let suffix = '';
    if (tier === 'crisis' && (match.negated || match.softened)) {
      tier = 'concern';
      suffix = match.negated ? ':negated' : ':softened';
    }
    if (analysis.laughing && rule.ifJoking) {
      if (rule.ifJoking === 'none') continue;
      if (tier === 'crisis') suffix = ':joking';
      tier = 'concern';
    }
    if (tier === 'crisis') return found(rule.id, 'crisis', match, analysis);
    concern ??= { rule, match, suffix };
  }
  return concern ? found(`${concern.rule.id}${concern.suffix}`, 'concern', concern.match, analysis) : NONE;
}

function found(rule: string, tier: RiskTier, match: Match, analysis: Analysis): RiskDetection {
  return { tier, rule, locale: localeOf(match, analysis), evidence: match.evidence };
}

/** The language most of the evidence's words come from; ties go to the whole text, then nb, nn, en. */
function localeOf(match: Match, analysis: Analysis): SafetyLocale {
  const votes = (from: number, to: number) => {
    const counts = SAFETY_LOCALES.map(() => 0);
    for (let i = from; i < to; i++) {
      for (let bit = 0; bit < counts.length; bit++) if (analysis.locales[i]! & (1 << bit)) counts[bit]!++;
    }
    return counts;
  };
  const pick = (counts: number[]) => {
    const best = Math.max(...counts);
    return counts.filter((count) => count === best).length === 1 ? counts.indexOf(best) : -1;
  };
  const inEvidence = votes(match.start, match.end);
  let winner = pick(inEvidence);
  if (winner < 0) {
    const best = Math.max(...inEvidence);
    const inText = votes(0, analysis.words.length);
    const tied = inEvidence.map((count, index) => (count === best ? inText[index]! : -1));
    winner = tied.indexOf(Math.max(...tied));
  }
  return SAFETY_LOCALES[winner]!;
}

function analyse(text: string, rules: SafetyRules): Analysis | undefined {
  const tokens = tokenise(text);
  const { words, laughingEmoji } = tokens;
  const breaks = [...tokens.breaks];
  const n = words.length;
  if (n === 0) return undefined;
  const spansAt: Span[][] = Array.from({ length: n }, () => []);
  const present = new Set<number>();
  const add = (start: number, key: number, end: number) => {
    spansAt[start]!.push({ key, end });
    present.add(key);
  };
  for (let i = 0; i < n; i++) {
    for (const id of rules.words.match(words[i]!)) add(i, wordKey(id), i + 1);
    // "selv mord", "my self": a word split in two is also read as one.
    if (i + 1 < n && breaks[i + 1] === NO_BREAK) {
      const joined = words[i]! + words[i + 1]!;
      if (joined.length >= 6) for (const id of rules.words.matchAsWritten(joined)) add(i, wordKey(id), i + 2);
    }
  }
  const locales = new Uint8Array(n);
  const found: { start: number; end: number; key: number; locales: number; homograph: boolean }[] = [];
  for (let i = 0; i < n; i++) {
    for (const span of spansAt[i]!) {
      if (span.key % 2 === 0) continue;
      for (const entry of rules.entriesByFirstWord.get((span.key - 1) / 2) ?? []) {
        const end = followEntry(entry.words, 1, span.end, spansAt, breaks);
        if (end < 0) continue;
        found.push({
          start: i,
          end,
          key: conceptKey(entry.concept),
          locales: entry.locales,
          homograph: entry.homograph,
        });
        if (!entry.homograph) for (let j = i; j < end; j++) locales[j]! |= entry.locales;
      }
    }
  }
  // A homograph ("dø", folded "do") counts only when the text reads as its language: "jeg vil dø" yes,
  // "I want to do yoga" no. The vote counts words that only one language family's lexicons know, not
  // the homograph's own words.
  for (const span of found) if (span.homograph) locales.fill(0, span.start, span.end);
  const family = familyVotes(locales);
  for (const span of found) {
    if (span.homograph && family !== 0 && (span.locales & family) === 0) continue;
    for (let j = span.start; j < span.end; j++) locales[j]! |= span.locales;
    if (!spansAt[span.start]!.some((s) => s.key === span.key && s.end === span.end))
      add(span.start, span.key, span.end);
  }
  const numberKey = conceptKey(rules.special.number);
  const number10Key = conceptKey(rules.special.number10);
  for (let i = 0; i < n; i++) {
    if (!/^\d+$/.test(words[i]!)) continue;
    add(i, numberKey, i + 1);
    if (Number(words[i]) >= 10) add(i, number10Key, i + 1);
  }
  // A sentence that opens with "eller", "og", "for godt" … goes on with the one before: "vil bare ha fred.
  // for godt" is one thought.
  const continuationKey = conceptKey(rules.special.continuation);
  for (let i = 1; i < n; i++) {
    if (breaks[i] === SENTENCE_BREAK && spansAt[i]!.some((span) => span.key === continuationKey))
      breaks[i] = SOFT_BREAK;
  }
  const negation = new Uint8Array(n);
  const denialEnds = new Uint8Array(n + 1);
  const negationKey = conceptKey(rules.special.negation);
  const denialKey = conceptKey(rules.special.denial);
  for (let i = 0; i < n; i++) {
    for (const span of spansAt[i]!) if (span.key === negationKey) negation.fill(1, i, span.end);
  }
  for (let i = 0; i < n; i++) {
    for (const span of spansAt[i]!) {
      if (span.key !== denialKey) continue;
      denialEnds[span.end] = 1;
      // A match may begin inside the denial, right after its negation: "har ikke | tenkt på å skade meg",
      // "ingen | tanker om å ta livet mitt".
      for (let j = i + 1; j < span.end; j++) if (negation[j - 1] && breaks[j] === NO_BREAK) denialEnds[j] = 1;
      // Or after an infinitive marker: "har aldri tenkt på | å | skade meg sjølv", "never thought about | to".
      const next = span.end;
      if (
        next + 1 < n &&
        INFINITIVE.has(words[next]!) &&
        breaks[next] === NO_BREAK &&
        breaks[next + 1] === NO_BREAK
      )
        denialEnds[next + 1] = 1;
    }
  }
  const analysis: Analysis = {
    words,
    breaks,
    spansAt,
    present,
    negation,
    denialEnds,
    blocked: new Uint8Array(n),
    locales,
    laughing: laughingEmoji || present.has(conceptKey(rules.special.laughter)),
    trailing: [conceptKey(rules.special.filler), conceptKey(rules.special.laughter)],
  };
  block(analysis, rules);
  return analysis;
}

const NORWEGIAN = 0b011;
const ENGLISH = 0b100;

/** The language family most words belong to (Norwegian or English bits), or 0 when undecided. */
function familyVotes(locales: Uint8Array): number {
  let norwegian = 0;
  let english = 0;
  for (const mask of locales) {
    if (mask & NORWEGIAN && !(mask & ENGLISH)) norwegian++;
    else if (mask & ENGLISH && !(mask & NORWEGIAN)) english++;
  }
  return norwegian > english ? NORWEGIAN : english > norwegian ? ENGLISH : 0;
}

/** Follows an entry's remaining words from `pos`, each directly after the last; the end, or -1. */
function followEntry(
  entry: readonly number[],
  index: number,
  pos: number,
  spansAt: readonly Span[][],
  breaks: readonly number[],
): number {
  if (index === entry.length) return pos;
  if (pos >= spansAt.length || breaks[pos] !== NO_BREAK) return -1;
  const key = wordKey(entry[index]!);
  for (const span of spansAt[pos]!) {
    if (span.key !== key) continue;
    const end = followEntry(entry, index + 1, span.end, spansAt, breaks);
    if (end >= 0) return end;
  }
  return -1;
}

/** Exclusions hide the words they match from every rule; spans through hidden words go too. */
function block(analysis: Analysis, rules: SafetyRules): void {
  let any = false;
  for (const exclusion of rules.exclusions) {
    if (!requirementsMet(exclusion.pattern, analysis)) continue;
    for (const match of matches(exclusion.pattern, analysis, 0, analysis.words.length)) {
      analysis.blocked.fill(1, match.start, match.end);
      any = true;
    }
  }
  if (!any) return;
  for (let i = 0; i < analysis.spansAt.length; i++) {
    analysis.spansAt[i] = analysis.spansAt[i]!.filter((span) =>
      analysis.blocked.subarray(i, span.end).every((b) => b === 0),
    );
  }
}

/**
 * The pre-filter: every part a pattern needs has at least one of its concepts or words in the text. Plain
 * loops, because it runs for every rule on every message and most messages stop here.
 */
function requirementsMet(pattern: Pattern, analysis: Analysis): boolean {
  const present = analysis.present;
  for (const group of pattern.requires) {
    let found = false;
    for (const key of group) {
      if (present.has(key)) {
        found = true;
        break;
      }
    }
    if (!found) return false;
  }
  return true;
}

/**
 * For each rule, keys of which at least one must be in a text for the rule to be `possible`: one
 * requirement group of each of its patterns (the smallest), or of the parts of its first piece of
 * evidence. A rule with a pattern that requires nothing is listed under `always`.
 */
interface RuleAnchors {
  readonly byKey: ReadonlyMap<number, readonly number[]>;
  readonly always: readonly number[];
}

const anchorsByRules = new WeakMap<SafetyRules, RuleAnchors>();

function ruleAnchors(rules: SafetyRules): RuleAnchors {
  const known = anchorsByRules.get(rules);
  if (known) return known;
  const ALWAYS = null;
  const ofPatterns = (patterns: readonly Pattern[], into: Set<number>): boolean => {
    for (const pattern of patterns) {
      if (pattern.requires.length === 0) return false;
      let smallest = pattern.requires[0]!;
      for (const group of pattern.requires) if (group.length < smallest.length) smallest = group;
      for (const key of smallest) into.add(key);
    }
    return true;
  };
  const ofRule = (index: number, depth: number): Set<number> | typeof ALWAYS => {
    const rule = rules.rules[index]!;
    const keys = new Set<number>();
    if (rule.match) return ofPatterns(rule.match, keys) ? keys : ALWAYS;
    // Every part must be found: any one part's anchors will do, so take the first.
    const part = rule.all![0]!;
    if (!ofPatterns(part.patterns, keys) || depth > rules.rules.length) return ALWAYS;
    for (const target of part.rules) {
      const inner = ofRule(target, depth + 1);
      if (inner === ALWAYS) return ALWAYS;
      for (const key of inner) keys.add(key);
    }
    return keys;
  };
  const byKey = new Map<number, number[]>();
  const always: number[] = [];
  for (const [index, rule] of rules.rules.entries()) {
    if (rule.tier === 'part') break;
    const keys = ofRule(index, 0);
    if (keys === ALWAYS) always.push(index);
    else
      for (const key of keys) {
        const listed = byKey.get(key);
        if (listed) listed.push(index);
        else byKey.set(key, [index]);
      }
  }
  const anchors = { byKey, always };
  anchorsByRules.set(rules, anchors);
  return anchors;
}

/** A flag per rule: whether it may be possible in a text with the keys `present` (see RuleAnchors). */
function candidateRules(rules: SafetyRules, present: ReadonlySet<number>): Uint8Array {
  const anchors = ruleAnchors(rules);
  const flags = new Uint8Array(rules.rules.length);
  for (const index of anchors.always) flags[index] = 1;
  for (const key of present) {
    const listed = anchors.byKey.get(key);
    if (listed) for (const index of listed) flags[index] = 1;
  }
  return flags;
}

function possible(rule: Rule, rules: SafetyRules, analysis: Analysis): boolean {
  if (rule.match) {
    for (const pattern of rule.match) if (requirementsMet(pattern, analysis)) return true;
    return false;
  }
  for (const part of rule.all!) {
    let found = false;
    for (const pattern of part.patterns) if (!found && requirementsMet(pattern, analysis)) found = true;
    for (const target of part.rules)
      if (!found && possible(rules.rules[target]!, rules, analysis)) found = true;
    if (!found) return false;
  }
  return true;
}

/** The first match of a rule that no "unless" pattern cancels, preferring one without a negation before it. */
function matchRule(
  index: number,
  rules: SafetyRules,
  analysis: Analysis,
  memo: Map<number, Match | null>,
): Match | undefined {
  const known = memo.get(index);
  if (known !== undefined) return known ?? undefined;
  const rule = rules.rules[index]!;
  let result: Match | undefined;
  if (rule.match) {
    for (const pattern of rule.match) {
      if (!requirementsMet(pattern, analysis)) continue;
      for (const found of matches(pattern, analysis, 0, analysis.words.length)) {
        if (found.denied || inSentence(rule.unless, analysis, found)) continue;
        const match =
          rule.softenedBy.length > 0
            ? { ...found, softened: inSentence(rule.softenedBy, analysis, found) }
            : found;
        if (!match.negated && !match.softened) {
          result = match;
          break;
        }
        result ??= match;
      }
      if (result && !result.negated && !result.softened) break;
    }
  } else {
    // Parts are separate pieces of evidence: a part may not reuse words another part matched ("vil ikke
    // våkne i morgen" is one death wish, not a death wish plus a time). Only the first part's negation
    // counts: the others (a time, means) qualify it.
    const parts: Match[] = [];
    const overlaps = (m: Match) => parts.some((p) => m.start < p.end && p.start < m.end);
    for (const part of rule.all!) {
      let match: Match | undefined;
      for (const target of part.rules) {
        const candidate = matchRule(target, rules, analysis, memo);
        if (candidate && !overlaps(candidate)) match ??= candidate;
      }
      for (const pattern of part.patterns) match ??= firstUncancelled(rule, analysis, pattern, overlaps);
      if (!match) break;
      parts.push(match);
    }
    if (parts.length === rule.all!.length) {
      const first = parts[0]!;
      parts.sort((a, b) => a.start - b.start);
      result = {
        start: parts[0]!.start,
        end: Math.max(...parts.map((part) => part.end)),
        negated: first.negated,
        denied: false,
        softened:
          first.softened === true ||
          (rule.softenedBy.length > 0 && inSentence(rule.softenedBy, analysis, first)),
        evidence: parts.map((part) => part.evidence).join(' … '),
      };
    }
  }
  memo.set(index, result ?? null);
  return result;
}

function firstUncancelled(
  rule: Rule,
  analysis: Analysis,
  pattern: Pattern,
  taken: (match: Match) => boolean,
): Match | undefined {
  if (!requirementsMet(pattern, analysis)) return undefined;
  for (const match of matches(pattern, analysis, 0, analysis.words.length)) {
    if (!match.denied && !taken(match) && !inSentence(rule.unless, analysis, match)) return match;
  }
  return undefined;
}

/** Any of the patterns (a rule's "unless" or "softenedBy") anywhere in the sentence of the match. */
function inSentence(patterns: readonly Pattern[], analysis: Analysis, match: Match): boolean {
  if (patterns.length === 0) return false;
  let from = match.start;
  while (from > 0 && analysis.breaks[from] !== SENTENCE_BREAK) from--;
  let to = match.end;
  while (to < analysis.words.length && analysis.breaks[to] !== SENTENCE_BREAK) to++;
  return patterns.some(
    (pattern) => requirementsMet(pattern, analysis) && !matches(pattern, analysis, from, to).next().done,
  );
}

/** Every match of a pattern that starts and ends within [from, to), by start. */
function* matches(pattern: Pattern, analysis: Analysis, from: number, to: number): Generator<Match> {
  for (let start = from; start < to; start++) {
    const end = matchFrom(pattern.elements, 0, start, 0, analysis, to);
    if (end < 0) continue;
    yield {
      start,
      end,
      negated: negatedBefore(start, analysis),
      denied: deniedBefore(start, analysis),
      evidence: analysis.words.slice(start, end).join(' '),
    };
  }
}

/**
 * Matches elements[index..] from word `pos`; the end of the match or -1. The first element must start at
 * `pos` itself; later ones may start as many words on as the `...` before them allows (or the `...`
 * before an optional part that was left out). Skipped words may not be negations or hidden words,
 * and no part of a match lies across a sentence end.
 */
function matchFrom(
  elements: readonly Element[],
  index: number,
  pos: number,
  gapCarried: number,
  analysis: Analysis,
  limit: number,
): number {
  if (index === elements.length) return pos;
  const element = elements[index]!;
  if (element.kind === 'end') return atClauseEnd(pos, analysis, limit) ? pos : -1;
  if (element.kind === 'options' && element.orEnd && atClauseEnd(pos, analysis, limit)) {
    const end = matchFrom(elements, index + 1, pos, 0, analysis, limit);
    if (end >= 0) return end;
  }
  const allowed = index === 0 ? 0 : Math.max(element.gapBefore, gapCarried);
  let p = pos;
  for (let skipped = 0; p < limit; skipped++) {
    if (!analysis.blocked[p] && (index === 0 || analysis.breaks[p] !== SENTENCE_BREAK)) {
      if (element.kind === 'any') {
        const end = matchFrom(elements, index + 1, p + 1, 0, analysis, limit);
        if (end >= 0) return end;
      } else {
        for (const span of analysis.spansAt[p]!) {
          if (span.end > limit || !element.keys.includes(span.key)) continue;
          const end = matchFrom(elements, index + 1, span.end, 0, analysis, limit);
          if (end >= 0) return end;
        }
      }
    }
    if (skipped >= allowed || analysis.blocked[p] || (analysis.negation[p] && !element.overNegation)) break;
    if (analysis.breaks[p + 1] === SENTENCE_BREAK) break;
    p++;
  }
  if (element.kind === 'options' && element.optional) {
    return matchFrom(elements, index + 1, pos, Math.max(gapCarried, element.gapBefore), analysis, limit);
  }
  return -1;
}

/** At `pos` the clause ends: only filler words (and laughter) stand before a break or the end. */
function atClauseEnd(pos: number, analysis: Analysis, limit: number): boolean {
  let p = pos;
  for (;;) {
    if (p >= analysis.words.length || analysis.breaks[p] !== NO_BREAK) return true;
    if (p >= limit || analysis.blocked[p]) return false;
    const filler = analysis.spansAt[p]!.find((span) => analysis.trailing.includes(span.key));
    if (!filler) return false;
    p = filler.end;
  }
}

/** A denial ends right before `start`, in the same clause ("ingen tanker om å | ta livet mitt"). */
function deniedBefore(start: number, analysis: Analysis): boolean {
  return start > 0 && analysis.breaks[start] === NO_BREAK && analysis.denialEnds[start] === 1;
}

/** A negation among the few words before `start`, within the same clause. */
function negatedBefore(start: number, analysis: Analysis): boolean {
  for (let i = start - 1; i >= 0 && i >= start - NEGATION_LOOKBACK; i--) {
    if (analysis.breaks[i + 1] !== NO_BREAK) return false;
    if (analysis.negation[i]) return true;
  }
  return false;
}
