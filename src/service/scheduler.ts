import { sendDueContactReminders } from './contacts.ts';
import { deliverOutbox } from './deliver-outbox.ts';
import type { ServiceDeps } from './deps.ts';
import { fireDueTimers } from './fire-timers.ts';
import { fireDueSchedules } from './measurements.ts';
import { applyQuietRule } from './quiet.ts';
import { purgeAbandonedConversations } from './web-starts.ts';

/**
 * One pass of the scheduler: fire due timers, start due check-ins, queue due contact reminders, apply
 * the contracts' "goes quiet" rule, then deliver the outbox. `windowMs` is how long the delivery may
 * pace a rate-limited channel (SMS_SEND_RATE); the loop passes its interval, so one pass sends what the
 * rate allows until the next is due.
 */
export async function tick(
  deps: ServiceDeps,
  options: { windowMs?: number } = {},
): Promise<{
  fired: number;
  checkins: number;
  reminders: number;
  quiet: { reminded: number; tasks: number };
  sent: number;
  failed: number;
  purged: number;
}> {
  const fired = await fireDueTimers(deps);
  const checkins = await fireDueSchedules(deps);
  const reminders = await sendDueContactReminders(deps);
  const quiet = await applyQuietRule(deps);
  const { sent, failed } = await deliverOutbox(deps, { windowMs: options.windowMs });
  const purged = await purgeAbandonedConversations(deps);
  return { fired, checkins, reminders, quiet, sent, failed, purged };
}

/** Runs `f` after the I/O of the current event-loop turn (`setImmediate` on Node). */
const afterThisTurn: (f: () => void) => void =
  typeof setImmediate === 'function' ? (f) => setImmediate(f) : (f) => setTimeout(f, 0);

/**
 * Runs `tick` every `intervalMs`, never two at once; `kick()` asks for a pass as soon as possible: at the
 * end of the current event-loop turn, so that the kicks of all messages handled in one turn share one
 * pass. (A busy server handles many messages per turn; one pass per message was three extra queries
 * per web chat turn, about a fifth of its database time, measured with bench/.)
 *
 * Safety messages do not wait for a pass: a pass can be stuck for up to the provider timeout on a hung
 * send, or busy firing many due timers, and a crisis reply behind it reached Twilio after 15 s. So a kick
 * (an inbound SMS was written) also sends the due safety messages at once, and so does an interval that
 * finds the previous pass still running (a safety retry due meanwhile). These deliveries run beside the
 * pass and beside each other; the claim on each row keeps any two of them from sending it twice. Only
 * inbound SMS kick, so this costs one read per event-loop turn that handled an SMS, none for web chat.
 */
export function startScheduler(
  deps: ServiceDeps,
  intervalMs: number,
): { kick(): void; stop(): Promise<void> } {
  let running: Promise<void> | undefined;
  let again = false;
  let stopped = false;
  let kicked = false;
  const urgent = new Set<Promise<void>>();
  const failed = (what: string) => (error: unknown) => deps.log.error(what, { error: String(error) });

  const deliverSafety = (): void => {
    if (stopped) return;
    const delivery = deliverOutbox(deps, { only: 'safety' }).then(
      () => undefined,
      failed('safety delivery failed'),
    );
    urgent.add(delivery);
    void delivery.finally(() => urgent.delete(delivery));
  };
  const pass = (): void => {
    if (stopped) return;
    if (running) {
      again = true;
      return;
    }
    const started = performance.now();
    const finished = (outcome: 'ok' | 'failed', counts?: Record<string, unknown>) => {
      const seconds = (performance.now() - started) / 1000;
      deps.metrics.schedulerPass(outcome, deps.clock(), seconds);
      deps.log.info('scheduler pass', { durationMs: Math.round(seconds * 10_000) / 10, outcome, ...counts });
    };
    running = tick(deps, { windowMs: intervalMs })
      .then(
        (counts) => finished('ok', counts),
        (error) => {
          finished('failed');
          failed('scheduler pass failed')(error);
        },
      )
      .finally(() => {
        running = undefined;
        if (again) {
          again = false;
          pass();
        }
      });
  };
  const kick = (): void => {
    if (stopped || kicked) return;
    kicked = true;
    afterThisTurn(() => {
      kicked = false;
      deliverSafety();
      pass();
    });
  };
  const timer = setInterval(() => {
    if (running) deliverSafety();
    pass();
  }, intervalMs);
  return {
    kick,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await Promise.all([running, ...urgent]);
    },
  };
}
