import { z } from 'zod';
import { homeworkTypes } from '../../src/domain/homework/index.ts';
import { instruments } from '../../src/domain/instruments.ts';
import type { Locale, TextLookup } from '../../src/engine/types.ts';
import type { FlowSpec } from './build.ts';
import { START_PART_KEY } from './build.ts';
import { questionnaireItems } from './questionnaire.ts';
import type { Step } from './steps.ts';

const DAY_MS = 86_400_000;

const quote = (text: string) =>
  text
    .split('\n')
    .map((line) => `> ${line}`)
    .join('\n');
const duration = (ms: number) =>
  ms % DAY_MS === 0
    ? `${ms / DAY_MS} d`
    : ms % 3_600_000 === 0
      ? `${ms / 3_600_000} h`
      : `${Math.round(ms / 60_000)} min`;

/** The fields of a homework entry, from its schema: name, type and limits, for reviewers. */
function fieldsOf(type: string): string {
  const schema = homeworkTypes.get(type)?.schema;
  if (!schema) return '(unknown type)';
  const json = z.toJSONSchema(schema, { unrepresentable: 'any' }) as {
    properties?: Record<
      string,
      { type?: string; enum?: unknown[]; minimum?: number; maximum?: number; maxLength?: number }
    >;
    required?: string[];
  };
  return Object.entries(json.properties ?? {})
    .map(([name, p]) => {
      const detail = p.enum
        ? p.enum.join(' | ')
        : p.type === 'integer' || p.type === 'number'
          ? `${p.type}${p.minimum !== undefined ? ` ${p.minimum}` : ''}${p.maximum !== undefined ? `–${p.maximum}` : ''}`
          : `${p.type ?? 'value'}${p.maxLength ? ` ≤ ${p.maxLength}` : ''}`;
      return `\`${name}\`${json.required?.includes(name) ? '' : '?'} (${detail})`;
    })
    .join(', ');
}

/**
 * Writes a flow as a readable Markdown script for clinical review: every message, question, choice
 * and where it leads, every exercise and the entry it stores, the measures, gates and reminders,
 * in the order the client meets them.
 */
export function flowScript(spec: FlowSpec, locale: Locale, text: TextLookup): string {
  const out: string[] = [`# ${spec.id} (version ${spec.version}, ${locale})`, ''];
  if (spec.reminder) {
    out.push(
      `Reminders: a question left unanswered gets "${text(spec.reminder.key)}" after ${duration(spec.reminder.afterMs)}, ` +
        `at most ${spec.reminder.times ?? 1} time(s), inside ${spec.reminder.window?.from ?? '08:00'}–${spec.reminder.window?.to ?? '21:00'} local time.`,
      '',
    );
  }
  const stepIndex = new Map(spec.steps.map((s, i) => [s.id, i]));
  const targets = new Set(
    spec.steps.flatMap((s, i) => {
      const next = 'next' in s ? s.next : undefined;
      const jumps = [
        ...(next !== undefined && stepIndex.get(next) !== i + 1 ? [next] : []),
        ...(s.kind === 'choice'
          ? s.choices.flatMap((c) =>
              c.next !== undefined && stepIndex.get(c.next) !== i + 1 ? [c.next] : [],
            )
          : []),
        ...(s.kind === 'branch' ? s.cases.map((c) => c.next) : []),
        ...(s.kind === 'questionnaire' && s.expireTo ? [s.expireTo] : []),
      ];
      return jumps;
    }),
  );
  const goes = (from: number, target: string | undefined) =>
    target === undefined || stepIndex.get(target) === from + 1 ? '' : ` → *${target}*`;

  spec.steps.forEach((step: Step, i) => {
    // Steps that something jumps to carry their id, so "→ *id*" can be followed.
    const anchor = targets.has(step.id) ? `**\u00A7 ${step.id}**\n\n` : '';
    switch (step.kind) {
      case 'openPart':
        out.push(
          `## Part ${step.part}`,
          '',
          `${anchor}*Opens ${step.part === 1 ? 'at once' : `at least the set number of days (default 6) after part ${step.part - 1} started, inside 08:00–21:00`}.*`,
          '',
          quote(text(step.key)),
          '',
          `- [${text(START_PART_KEY)}]`,
          '',
        );
        break;
      case 'say':
        out.push(
          `${anchor}${quote(text(step.key))}${step.image ? `\n\n*Illustration: ${step.image}*` : ''}${goes(i, step.next)}`,
          '',
        );
        break;
      case 'choice':
        out.push(
          `${anchor}**Question** (${step.id}${step.record ? `, recorded as \`${step.record}\`` : ''}):`,
          '',
          quote(text(step.key)),
          '',
          ...step.choices.map(
            (c, n) => `${n + 1}. ${text(c.key)} \`${c.value}\`${goes(i, c.next ?? step.next)}`,
          ),
          '',
        );
        break;
      case 'text':
      case 'number':
      case 'time': {
        const kind =
          step.kind === 'number'
            ? `a whole number ${step.min}–${step.max}`
            : step.kind === 'time'
              ? 'a clock time'
              : `free text (≤ ${step.maxLength ?? 2000} characters)`;
        out.push(
          `${anchor}**Question** (${step.id}, answer: ${kind}${step.record ? `, recorded as \`${step.record}\`` : ''}):`,
          '',
          quote(text(step.key)),
          '',
        );
        break;
      }
      case 'questionnaire': {
        const def = instruments[step.instrument];
        out.push(
          `${anchor}**Questionnaire ${text(def.titleKey)}** (version ${def.version}; expires unfinished after ${duration(step.expireAfterMs ?? DAY_MS)}):`,
          '',
          quote(text(def.stemKey)),
          '',
          ...questionnaireItems(step.instrument).map((item, n) => `${n + 1}. ${text(item.prompt.key)}`),
          '',
          `Answers: ${questionnaireItems(step.instrument)[0]!
            .prompt.choices.map((c) => `${c.value} ${text(c.key)}`)
            .join(' · ')}`,
          '',
        );
        break;
      }
      case 'homework':
        out.push(`${anchor}**Exercise entry stored:** \`${step.type}\` — ${fieldsOf(step.type)}`, '');
        break;
      case 'record':
        out.push(`${anchor}*Records \`${step.type}\` for the therapist.*`, '');
        break;
      case 'branch':
        out.push(
          `${anchor}*Branch (${step.id}): ${step.cases.map((c) => `→ *${c.next}*`).join(' or ')} depending on earlier answers; otherwise → *${step.next ?? spec.steps[i + 1]?.id}*.*`,
          '',
        );
        break;
      case 'wait':
        out.push(
          `${anchor}*Waits ${duration(step.afterMs)}.*${step.key ? `\n\n${quote(text(step.key))}` : ''}`,
          '',
        );
        break;
      case 'waitUntil':
        out.push(
          `${anchor}*Waits until ${step.time} local time.*${step.key ? `\n\n${quote(text(step.key))}` : ''}`,
          '',
        );
        break;
      case 'endOfPart':
        out.push(`${anchor}${quote(text(step.key))}`, '', `*End of part ${step.part}.*`, '');
        break;
      case 'custom':
        out.push(
          `${anchor}*Hand-written step (${step.id}).*${(step.textKeys ?? []).map((k) => `\n\n${quote(text(k))}`).join('')}`,
          '',
        );
        break;
      case 'end':
        out.push(`${anchor}${step.key ? `${quote(text(step.key))}\n\n` : ''}*End of the flow.*`, '');
        break;
    }
  });
  return `${out.join('\n').trimEnd()}\n`;
}
