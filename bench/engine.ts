/**
 * `node ./bin/run-ts.js bench/engine.ts [--conversations 2000]`: the engine alone, no I/O. Plays the
 * intro's turns (the same answers as run.ts) through `turn()`, with the snapshot round-tripped through
 * JSON between turns as storage does, and prints CPU µs per turn. Part of the per-turn cost that the
 * floor (bench/floor.ts) does not have.
 */
import { parseArgs } from 'node:util';
import { intro } from '../flows/intro.ts';
import { catalog } from '../src/content/default.ts';
import { turn } from '../src/engine/turn.ts';
import type { PersistedFlow } from '../src/engine/types.ts';

const { values: args } = parseArgs({ options: { conversations: { type: 'string', short: 'n' } } });
const conversations = Number(args.conversations ?? 2000);
const text = (key: string, vars?: Record<string, string | number>) => catalog.text('nb', key, vars);
const answers = [
  { value: 'yes' },
  { value: 'depression' },
  { value: 'some' },
  { value: 'no' },
  { value: 'yes' },
  { value: 'yes' },
  { text: 'Mål: gå en tur' },
  { text: '18:30' },
];

function play(): number {
  let now = Date.parse('2026-11-23T09:00:00Z');
  const base = { flow: intro, locale: 'nb' as const, timeZone: 'Europe/Oslo', text };
  let result = turn({ ...base, persisted: undefined, event: { kind: 'start' }, now: new Date(now) });
  let persisted: PersistedFlow = JSON.parse(JSON.stringify(result.persisted));
  for (const input of answers) {
    now += 60_000;
    result = turn({ ...base, persisted, event: { kind: 'input', input }, now: new Date(now) });
    persisted = JSON.parse(JSON.stringify(result.persisted));
  }
  if (!result.done) throw new Error('the intro did not finish');
  return answers.length + 1;
}

for (let i = 0; i < 200; i++) play();
const cpu = process.cpuUsage();
let turns = 0;
for (let i = 0; i < conversations; i++) turns += play();
const used = process.cpuUsage(cpu);
console.log(
  `engine: ${turns} turns, ${((used.user + used.system) / turns).toFixed(0)} µs CPU per turn ` +
    '(XState transition, snapshot restore and persist, JSON round trip)',
);
