import { sendDueContactReminders } from '../service/contacts.ts';
import { deliverOutbox } from '../service/deliver-outbox.ts';
import type { ChannelSender, Logger, ServiceDeps } from '../service/deps.ts';
import { fireDueTimers } from '../service/fire-timers.ts';
import { fireDueSchedules } from '../service/measurements.ts';
import { applyQuietRule } from '../service/quiet.ts';
import { purgeAbandonedConversations } from '../service/web-starts.ts';

/** Thrown by a subrequest the budget has no room for: the work stops there instead of at the plan's limit. */
export class BudgetSpent extends Error {
  override name = 'BudgetSpent';
}

/**
 * The subrequests one Worker invocation may still make (Workers count every `fetch`, each database round
 * trip and each Twilio call included, and fail the rest once the plan's limit is reached). The Worker's
 * database client counts its requests here and its senders are wrapped by `guardSenders`.
 */
export class SubrequestBudget {
  #used = 0;

  constructor(readonly limit: number) {}

  get used(): number {
    return this.#used;
  }

  get left(): number {
    return this.limit - this.#used;
  }

  take(count = 1): void {
    if (this.#used + count > this.limit) {
      throw new BudgetSpent(`subrequest budget of ${this.limit} spent`);
    }
    this.#used += count;
  }
}

/**
 * Subrequests one turn costs at most over HTTP: the reads, the write transaction's statements and its
 * commit. Measured 9–16 per web turn before round trips were batched (issue #15); 20 leaves room.
 */
export const TURN_COST = 20;

/**
 * Subrequests one outbox row costs: the claim (a write transaction: its statement and the commit), the
 * provider call, and recording the attempt (up to three statements and the commit).
 */
export const ROW_COST = 7;

/** Subrequests the purge of abandoned web conversations costs: one write of a few statements. */
export const PURGE_COST = 10;

/**
 * How long the cron pass paces the SMS sender (SMS_SEND_RATE): half of the minute until the next cron
 * trigger, well inside what a cron invocation may run. The pace itself is kept per isolate (send-rate.ts).
 */
export const CRON_PACE_WINDOW_MS = 30_000;

/** What a send needs to be left after it: recording the attempt, so a sent SMS is never left unrecorded. */
const AFTER_SEND = 4;

/**
 * What a lookup of an uncertain send may cost at the provider: the Twilio sender reads at most
 * LIST_MAX_PAGES (3) pages of its Messages list. Taken whole before the lookup starts; the database read
 * that follows it is counted by the database client like every other.
 */
const LOOKUP_COST = 3;

/**
 * Each push sender refuses to start a provider call unless the current invocation's budget still has
 * room for the call and for recording its outcome. A cut between the two would leave a sent message
 * looking unsent (the row is then looked up at the provider after its lease, where the channel can). A
 * lookup likewise needs room for itself, the send that may follow and its record.
 */
export function guardSenders(
  senders: ServiceDeps['senders'],
  current: () => SubrequestBudget | undefined,
): ServiceDeps['senders'] {
  return Object.fromEntries(
    Object.entries(senders).map(([channel, sender]): [string, ChannelSender] => {
      if (sender.mode !== 'push') return [channel, sender];
      return [
        channel,
        {
          ...sender,
          send: async (message) => {
            const budget = current();
            if (budget) {
              if (budget.left < 1 + AFTER_SEND) throw new BudgetSpent('no budget left for a send');
              budget.take();
            }
            return sender.send(message);
          },
          ...(sender.lookup && {
            lookup: async (query) => {
              const budget = current();
              if (budget) {
                if (budget.left < LOOKUP_COST + 1 + AFTER_SEND) {
                  throw new BudgetSpent('no budget left for a lookup');
                }
                budget.take(LOOKUP_COST);
              }
              return sender.lookup!(query);
            },
          }),
        },
      ];
    }),
  );
}

export interface CronResult {
  safety: { sent: number; failed: number };
  fired: number;
  checkins: number;
  reminders: number;
  quiet: { reminded: number; tasks: number };
  outbox: { sent: number; failed: number };
  purged: number;
  subrequests: number;
  budget: number;
  /** Steps left out or cut short because the budget ran low. */
  skipped: string[];
  errors: { step: string; error: string }[];
}

/**
 * Delivery after an inbound message (`ctx.waitUntil`): the due safety messages first, then the rest, each
 * sized to the budget. Errors are logged, not thrown: the client already has their answer.
 */
export async function deliverAfterInbound(
  deps: ServiceDeps,
  budget: SubrequestBudget,
  log: Logger,
): Promise<void> {
  for (const only of ['safety', undefined] as const) {
    const limit = Math.floor((budget.left - 1) / ROW_COST);
    if (limit < 1) return;
    try {
      await deliverOutbox(deps, only ? { only, limit } : { limit });
    } catch (error) {
      log.error('delivery after inbound failed', { error: describe(error) });
      return;
    }
  }
}

/**
 * One scheduler pass for the Workers cron trigger, within `budget`: the due safety messages first, then
 * the steps of `tick` (timers, check-ins, contact reminders, the quiet rule, the outbox, the purge of
 * abandoned web conversations), each sized to what the budget has left and skipped when it has too
 * little; what is left waits for the next minute.
 * A step that fails is logged and the pass goes on with the next. Logs one line with the counts.
 */
export async function cronPass(
  deps: ServiceDeps,
  budget: SubrequestBudget,
  log: Logger,
): Promise<CronResult> {
  const started = Date.now();
  const result: CronResult = {
    safety: { sent: 0, failed: 0 },
    fired: 0,
    checkins: 0,
    reminders: 0,
    quiet: { reminded: 0, tasks: 0 },
    outbox: { sent: 0, failed: 0 },
    purged: 0,
    subrequests: 0,
    budget: budget.limit,
    skipped: [],
    errors: [],
  };
  const step = async <T>(name: string, perItem: number, run: (limit: number) => Promise<T>) => {
    // One read to find the due items, then each item's own cost.
    const limit = Math.floor((budget.left - 1) / perItem);
    if (limit < 1) {
      result.skipped.push(name);
      return undefined;
    }
    try {
      return await run(limit);
    } catch (error) {
      if (error instanceof BudgetSpent) result.skipped.push(name);
      else result.errors.push({ step: name, error: describe(error) });
      return undefined;
    }
  };
  result.safety =
    (await step('safety', ROW_COST, (limit) => deliverOutbox(deps, { only: 'safety', limit }))) ??
    result.safety;
  result.fired = (await step('timers', TURN_COST, (limit) => fireDueTimers(deps, limit))) ?? 0;
  result.checkins = (await step('checkins', TURN_COST, (limit) => fireDueSchedules(deps, limit))) ?? 0;
  result.reminders =
    (await step('contact_reminders', TURN_COST, (limit) => sendDueContactReminders(deps, limit))) ?? 0;
  result.quiet = (await step('quiet', TURN_COST, (limit) => applyQuietRule(deps, limit))) ?? result.quiet;
  result.outbox =
    (await step('outbox', ROW_COST, (limit) =>
      deliverOutbox(deps, { limit, windowMs: CRON_PACE_WINDOW_MS }),
    )) ?? result.outbox;
  result.purged = (await step('purge', PURGE_COST, () => purgeAbandonedConversations(deps))) ?? 0;
  result.subrequests = budget.used;
  const seconds = (Date.now() - started) / 1000;
  deps.metrics.schedulerPass(result.errors.length > 0 ? 'failed' : 'ok', deps.clock(), seconds);
  const line = { ...result, skipped: result.skipped.join(',') || undefined };
  if (result.errors.length > 0) log.error('cron pass', line);
  else log.info('cron pass', line);
  return result;
}

/** An error as one line, without its stack or the statement's arguments. */
export function describe(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return `${error.name}${typeof code === 'string' ? ` ${code}` : ''}: ${error.message.split('\n')[0]}`;
  }
  return String(error);
}
