import { crisisPhrases } from '../content/safety-phrases.ts';
import { type CrisisDetection, detectCrisis } from '../domain/safety/detect.ts';
import type { SafeAnswer } from '../domain/safety/safe-answer.ts';
import type { DomainEvent, Reply } from '../engine/types.ts';

/** The safety layer's replies and checks; every inbound text passes here before any flow sees it. */
export function checkText(text: string | undefined): CrisisDetection {
  return text ? detectCrisis(text, crisisPhrases) : { matched: false };
}

/** CLINICAL.md §3: acknowledge, give the numbers, say when someone reads, then ask directly. */
export const crisisReplies: Reply[] = [
  { key: 'safety.crisis_ack' },
  { key: 'safety.crisis_info' },
  {
    key: 'safety.ask_safe',
    choices: [
      { value: 'safe', key: 'safety.safe_yes' },
      { value: 'not_safe', key: 'safety.safe_no' },
    ],
  },
];

export function safeAnswerReplies(answer: SafeAnswer, pending: Reply | undefined): Reply[] {
  if (answer === 'not_safe') return [{ key: 'safety.answer_not_safe' }];
  return [{ key: 'safety.answer_safe' }, ...(pending ? [pending] : [])];
}

/** PHQ-9 item 9 above 0: the crisis information goes out with the next question, in the same batch. */
export function withItem9Replies(replies: Reply[], events: DomainEvent[]): Reply[] {
  return events.some((e) => e.type === 'safety.item9_positive')
    ? [{ key: 'safety.item9' }, ...replies]
    : replies;
}

export const ALERTED = 'clinic alert queue';
