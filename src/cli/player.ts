import { z } from 'zod';
import { parseDuration } from '../domain/duration.ts';
import { parseKeyword } from '../domain/keywords.ts';
import { instantAt, wallClockOf } from '../domain/local-time.ts';
import { restore } from '../engine/turn.ts';
import type { Locale } from '../engine/types.ts';
import { createClient } from '../service/clients.ts';
import { type ContractFieldsInput, draftContract, signContractAsTherapist } from '../service/contracts.ts';
import { deliverOutbox } from '../service/deliver-outbox.ts';
import type { IdSource, ServiceDeps } from '../service/deps.ts';
import { fireDueTimers } from '../service/fire-timers.ts';
import { handleInbound, type InboundContent, startConversation } from '../service/handle-inbound.ts';
import { fireDueSchedules } from '../service/measurements.ts';
import type { RenderedReply } from '../service/render.ts';
import { createStaff } from '../service/staff.ts';
import type { StaffActor } from '../service/staff-actor.ts';
import { clientAlerts } from '../storage/alerts.ts';
import { type ContractRecord, listContracts } from '../storage/contracts.ts';
import { listEnrollments } from '../storage/enrollments.ts';
import { clientEvents } from '../storage/events.ts';
import { heldMessages } from '../storage/held-messages.ts';
import { outboxForAddress } from '../storage/outbox.ts';
import { clientResponses } from '../storage/responses.ts';
import { outboundAfter } from '../storage/transcript.ts';

/**
 * The conversation player shared by `selvhjelp chat` and the golden conversations (test/conversations):
 * it plays what a client sends, in the web chat or by SMS, through the real service, and writes each step
 * as the lines of a `.chat` file — the input line (`< text`, `< [button]`, `~ wait 2d`, `! therapist …`),
 * then everything the client was sent (by SMS: each message as it goes to Twilio, with its outbox kind),
 * every domain event, stored score and alert, the guidance contract as the therapist sees it when it
 * changed, and the state, restored from its stored JSON after every step.
 */

/** What the client does: types, presses a button, or lets time pass. */
export type ClientStep = { send: string } | { press: string } | { wait: string };

/**
 * What the client's therapist does, through the same service functions as the workspace and the staff
 * API (src/service/contracts.ts): `drafts` writes the contract's fields into the open draft (or starts
 * the next version after a signed one), `signs` signs the newest draft and sends it to the client (with
 * fields: drafts them first). The fields are the API's: any subset, nested groups in part.
 */
export type TherapistStep = { therapist: { action: 'drafts' | 'signs'; fields?: ContractFieldsInput } };

export type Step = ClientStep | TherapistStep;

/** A therapist step's fields: a JSON object (the service checks the fields themselves). */
const therapistFieldsSchema = z.record(z.string(), z.unknown());

/** The input line of a step, exactly as it stands in a `.chat` file. */
export function stepLine(step: Step): string {
  if ('therapist' in step) {
    const { action, fields } = step.therapist;
    return `! therapist ${action} contract${fields ? ` ${JSON.stringify(fields)}` : ''}`;
  }
  return 'send' in step ? `< ${step.send}` : 'press' in step ? `< [${step.press}]` : `~ wait ${step.wait}`;
}

/**
 * The step an input line stands for; undefined for every other line. A line that starts with `! ` is a
 * therapist step and must be one (`! therapist drafts contract {json}`, `! therapist signs contract
 * [{json}]`): a misspelt one throws rather than being read as output and skipped.
 */
export function stepOf(line: string): Step | undefined {
  const press = /^< \[([^\]]+)\]$/.exec(line);
  if (press) return { press: press[1]! };
  if (line.startsWith('< ')) return { send: line.slice(2) };
  const wait = /^~ wait (\S+)$/.exec(line);
  if (wait) return { wait: wait[1]! };
  if (line.startsWith('! ')) return therapistStepOf(line);
  return undefined;
}

function therapistStepOf(line: string): TherapistStep {
  const match = /^! therapist (drafts|signs) contract(?: (\{.*\}))?$/.exec(line);
  if (!match) {
    throw new Error(
      `therapist step not understood: "${line}" (expected "! therapist drafts contract {json}" or "! therapist signs contract [{json}]")`,
    );
  }
  const action = match[1] as 'drafts' | 'signs';
  if (match[2] === undefined) {
    if (action === 'drafts') throw new Error(`"${line}": drafting needs the fields, as a JSON object`);
    return { therapist: { action } };
  }
  let json: unknown;
  try {
    json = JSON.parse(match[2]);
  } catch {
    throw new Error(`"${line}": the fields are not valid JSON`);
  }
  const fields = therapistFieldsSchema.safeParse(json);
  if (!fields.success) throw new Error(`"${line}": the fields must be a JSON object`);
  return { therapist: { action, fields: fields.data as ContractFieldsInput } };
}

export interface PlayerSetup {
  flow: string;
  locale: Locale;
  channel: 'web' | 'sms';
  /**
   * Whether the client has a responsible therapist (seeded as a staff member by `open`): needed by
   * therapist steps, and it puts a course behind the contract gate (it waits for a signed contract).
   */
  therapist?: boolean;
}

/** The player's clock: the conversation's own, moved on by `~ wait` steps. */
export interface PlayerClock {
  now(): Date;
  advance(ms: number): void;
}

/** `start:` in a `.chat` header: Oslo wall-clock time to the minute, e.g. 2026-11-23T03:00. */
export function startOf(start: string): Date {
  const [year, month, day, hours, minutes] = start.split(/[-T:]/).map(Number) as [
    number,
    number,
    number,
    number,
    number,
  ];
  return instantAt({ year, month, day, hours, minutes }, 'Europe/Oslo');
}

/** The `start:` of an instant: Oslo wall-clock time to the minute (seconds are dropped). */
export function osloMinute(date: Date): string {
  const { year, month, day, hours, minutes } = wallClockOf(date, 'Europe/Oslo');
  const two = (n: number) => String(n).padStart(2, '0');
  return `${year}-${two(month)}-${two(day)}T${two(hours)}:${two(minutes)}`;
}

/** Deterministic ids and random bytes, so a played conversation repeats run after run. */
export function sequentialIds(prefix = 'id'): IdSource {
  let n = 0;
  let seed = 42;
  return {
    id: () => `${prefix}-${String(++n).padStart(4, '0')}`,
    randomBytes: (size) => {
      const bytes = new Uint8Array(size);
      for (let i = 0; i < size; i++) {
        seed = (seed * 1103515245 + 12345) >>> 0;
        bytes[i] = seed >>> 24;
      }
      return bytes;
    },
  };
}

const SMS_NUMBER = '+4791234567';

function formatReplies(replies: RenderedReply[]): string[] {
  return replies.flatMap((reply) => [
    // A reply of several lines keeps its later lines indented, so none can be read as a step.
    ...reply.text.split('\n').map((line, i) => (i === 0 ? `> ${line}` : `  ${line}`.trimEnd())),
    ...(reply.choices ?? []).map(
      (c, i) => `    ${reply.numbering === 'value' ? c.value : i + 1}) ${c.label}  [${c.value}]`,
    ),
    ...(reply.image ? [`    (image ${reply.image.src}: ${reply.image.alt})`] : []),
  ]);
}

export class ConversationPlayer {
  readonly #deps: ServiceDeps;
  readonly #clock: PlayerClock;
  readonly #setup: PlayerSetup;
  readonly #client: { clientId: string; accessCode: string };
  readonly #therapist: StaffActor | undefined;
  #address: { id: string; address: string } = { id: '', address: SMS_NUMBER };
  #cursor = 0;
  #outboxSeen = 0;
  #heldSeen = 0;
  readonly #seen = { events: 0, scores: 0, alerts: 0 };
  readonly #answersSeen = new Map<string, number>();
  /** The contract line last written, so it is written again only when the contract changed. */
  #contractSeen = '';

  private constructor(
    deps: ServiceDeps,
    clock: PlayerClock,
    setup: PlayerSetup,
    client: { clientId: string; accessCode: string },
    therapist: StaffActor | undefined,
  ) {
    this.#deps = deps;
    this.#clock = clock;
    this.#setup = setup;
    this.#client = client;
    this.#therapist = therapist;
  }

  get clientId(): string {
    return this.#client.clientId;
  }

  /**
   * Creates the client (enrolled in `setup.flow`; with `setup.therapist`, a therapist's client) and, in
   * the web chat, opens the conversation. Returns the player and the lines before the first step: the
   * flow and start time, the therapist, and the web chat's welcome.
   */
  static async open(
    deps: ServiceDeps,
    clock: PlayerClock,
    setup: PlayerSetup,
  ): Promise<{ player: ConversationPlayer; preamble: string[] }> {
    const therapist = setup.therapist ? await seedTherapist(deps, setup.locale) : undefined;
    const created = await createClient(deps, {
      course: setup.flow,
      locale: setup.locale,
      therapistId: therapist?.staffId,
    });
    if (!created.ok) throw new Error(`unknown flow ${setup.flow}`);
    const player = new ConversationPlayer(deps, clock, setup, created, therapist);
    const preamble = [`  flow ${created.flowId}@${created.flowVersion}, starts ${clock.now().toISOString()}`];
    if (therapist) preamble.push(`  therapist ${therapist.name} is responsible for the client`);
    if (setup.channel === 'web') {
      const conversation = await startConversation(deps, 'web', setup.locale);
      player.#address = conversation.address;
      player.#cursor = conversation.cursor;
      preamble.push(...formatReplies(conversation.replies));
    }
    return { player, preamble };
  }

  /** Plays one step and returns its lines: the input line first. `{code}` stands for the access code. */
  async step(step: Step): Promise<string[]> {
    const lines = [stepLine(step)];
    const deps = this.#deps;
    const sms = this.#setup.channel === 'sms';
    if ('therapist' in step) {
      lines.push(...(await this.#therapistStep(step.therapist)));
      lines.push(...(await this.#sentMeanwhile()));
    } else if ('wait' in step) {
      const ms = parseDuration(step.wait);
      if (ms === undefined) throw new Error(`bad wait ${step.wait}`);
      this.#clock.advance(ms);
      const fired = await fireDueTimers(deps);
      // Check-ins that fell due start as the scheduler's pass would start them (SMS links start some).
      const checkins = await fireDueSchedules(deps);
      lines.push(
        `  clock ${this.#clock.now().toISOString()}, ${fired} timer(s) fired${checkins ? `, ${checkins} check-in(s) started` : ''}`,
      );
      lines.push(...(await this.#sentMeanwhile()));
    } else {
      if (sms && 'press' in step) throw new Error('SMS has no buttons: send the text instead');
      const outcome = await handleInbound(deps, {
        channel: this.#setup.channel,
        address: this.#address.address,
        content: 'send' in step ? this.#typed(step.send) : { kind: 'button', value: step.press },
        ...(sms ? { createAddress: true } : {}),
      });
      if (outcome.kind !== 'handled') throw new Error(`step not handled: ${outcome.kind}`);
      if (sms) {
        this.#address = { id: outcome.addressId, address: SMS_NUMBER };
        lines.push(...(await this.#smsSent()));
      } else lines.push(...formatReplies(outcome.replies));
      this.#cursor = outcome.cursor;
    }
    lines.push(...(await this.#recorded()));
    return lines;
  }

  /**
   * A therapist step, through the service functions the workspace and the staff API call. What the
   * service refuses (an incomplete contract, nothing to sign) is a line of the step, as the API's error
   * would be; a draft written before a refused signature stays, as it would in the workspace.
   */
  async #therapistStep({ action, fields }: TherapistStep['therapist']): Promise<string[]> {
    const therapist = this.#therapist;
    if (!therapist) throw new Error('a therapist step needs a client with a therapist');
    const refused = (verb: string, outcome: { error: string; message?: string }) => [
      `  therapist could not ${verb}: ${outcome.error}${outcome.message ? ` (${outcome.message})` : ''}`,
    ];
    if (fields) {
      const drafted = await draftContract(this.#deps, therapist, this.clientId, fields);
      if (!drafted.ok) return refused('draft', drafted);
    }
    if (action === 'signs') {
      const signed = await signContractAsTherapist(this.#deps, therapist, this.clientId);
      if (!signed.ok) return refused('sign', signed);
    }
    return [];
  }

  /** What reached the client without a message of theirs (a timer, the therapist): SMS or the chat. */
  async #sentMeanwhile(): Promise<string[]> {
    if (this.#setup.channel === 'sms') return this.#smsSent();
    // Nothing can be in the chat before the conversation is open.
    if (!this.#address.id) return [];
    const entries = await this.#deps.db.read((q) => outboundAfter(q, this.#address.id, this.#cursor));
    if (entries.length) this.#cursor = entries.at(-1)!.seq;
    return formatReplies(entries.map((e) => (e.payload as { rendered: RenderedReply }).rendered));
  }

  #typed(send: string): InboundContent {
    // `{code}` stands for the client's access code, so a file does not depend on how codes are drawn.
    const text = send.replace('{code}', this.#client.accessCode);
    const keyword = this.#setup.channel === 'sms' ? parseKeyword(text) : undefined;
    return keyword ? { kind: 'keyword', keyword, text } : { kind: 'message', text };
  }

  /**
   * By SMS: the messages queued for Twilio since the last look. What is due goes out through the SMS
   * sender, as the scheduler's pass would send it, so what the client was sent counts as sent (a contract
   * is accepted only when its text went out); what STOP or quiet hours hold back stays unsent.
   */
  async #smsSent(): Promise<string[]> {
    // No number has written yet: nothing can have been queued for it.
    if (!this.#address.id) return [];
    // At once: the send pace (SMS_SEND_RATE) is for a morning of check-ins, not one conversation.
    await deliverOutbox({ ...this.#deps, sendRates: undefined });
    const { rows, held } = await this.#deps.db.read(async (q) => ({
      rows: await outboxForAddress(q, this.#address.id),
      held: (await heldMessages(q, this.#address.id)).length,
    }));
    const fresh = rows.slice(this.#outboxSeen);
    this.#outboxSeen = rows.length;
    const lines = fresh.flatMap((row) => {
      const [first = '', ...rest] = (row.payload as { text: string }).text.split('\n');
      return [`> [sms ${row.kind}] ${first}`, ...rest.map((line) => `  ${line}`)];
    });
    // Discreet SMS: what waits behind a notice for the client's answer, whenever that changes.
    if (held !== this.#heldSeen) lines.push(`  held ${held} SMS for the client's answer`);
    this.#heldSeen = held;
    return lines;
  }

  /** What the step recorded: events, scores, alerts and the answers on them, and the flow's state. */
  async #recorded(): Promise<string[]> {
    const deps = this.#deps;
    const lines: string[] = [];
    const { events, scores, alerts, enrollments, contracts } = await deps.db.read(async (q) => ({
      events: await clientEvents(q, this.clientId),
      scores: await clientResponses(q, this.clientId),
      alerts: await clientAlerts(q, this.clientId),
      enrollments: await listEnrollments(q, this.clientId),
      contracts: await listContracts(q, this.clientId),
    }));
    const seen = this.#seen;
    for (const e of events.slice(seen.events)) lines.push(`  event ${e.type} ${JSON.stringify(e.data)}`);
    for (const r of scores.slice(seen.scores)) {
      lines.push(
        `  score ${r.instrument}@${r.instrumentVersion} items=${r.items.join(',')} difficulty=${r.difficulty ?? '-'} total=${r.total} band=${r.band ?? '-'} caseness=${r.caseness ?? '-'} screen=${r.screenPositive ?? '-'} via ${r.channel}`,
      );
    }
    for (const a of alerts.slice(seen.alerts)) {
      lines.push(
        `  alert ${a.priority} ${a.kind} ${JSON.stringify(a.triggerText)} rule=${a.matchedPhrase ?? '-'} shown=${a.shown.join(',')}`,
      );
    }
    // Each answer read in safety mode, as the therapist will see it on the alert.
    for (const a of alerts) {
      for (const answer of a.safetyAnswers.slice(this.#answersSeen.get(a.id) ?? 0)) {
        lines.push(
          `  alert ${a.kind} answer ${answer.step} -> ${answer.answer}; now ${a.priority}, ${a.safetyStep ? `waiting at ${a.safetyStep}` : 'safety mode ended'}`,
        );
      }
      this.#answersSeen.set(a.id, a.safetyAnswers.length);
    }
    Object.assign(seen, { events: events.length, scores: scores.length, alerts: alerts.length });
    const contract = contractLine(contracts);
    if (contract !== this.#contractSeen) {
      if (contract) lines.push(contract);
      this.#contractSeen = contract;
    }
    const [enrollment] = enrollments;
    if (enrollment?.persisted) {
      // The stored snapshot must survive JSON and restore to the same state.
      const persisted = JSON.parse(JSON.stringify(enrollment.persisted));
      const flow = deps.flows.get(enrollment.flowId, enrollment.flowVersion)!;
      const snapshot = restore(flow.machine, persisted);
      lines.push(`  state ${JSON.stringify(snapshot.value)} (${enrollment.status})`);
    } else if (enrollment && this.#therapist) {
      // A therapist's course that has not started: it waits for the guidance contract (the gate).
      lines.push(`  state not started (${enrollment.status})`);
    }
    return lines;
  }
}

/** The therapist's staff account, responsible for the played client. */
async function seedTherapist(deps: ServiceDeps, locale: Locale): Promise<StaffActor> {
  const created = await createStaff(deps, {
    email: 'tina@clinic.test',
    name: 'Tina Terapeut',
    role: 'therapist',
    locale,
  });
  if (!created.ok) throw new Error(`no therapist: ${created.error}`);
  const { id, email, name, role } = created.staff;
  return { staffId: id, email, name, role, locale, via: 'cli' };
}

/**
 * The guidance contract as the therapist sees it: every version with its status, newest first, and the
 * change the client asked for on the newest (their words, or that they have not said what yet).
 */
function contractLine(contracts: ContractRecord[]): string {
  const [latest] = contracts;
  if (!latest) return '';
  const versions = contracts.map(
    (c) => `v${c.version} ${c.status}${c.clientSignedVia ? ` (client signed via ${c.clientSignedVia})` : ''}`,
  );
  const change =
    latest.status !== 'changes_requested'
      ? ''
      : latest.changeRequest === undefined
        ? '; change requested, not yet said what'
        : `; change requested: ${JSON.stringify(latest.changeRequest)}`;
  return `  contract ${versions.join(', ')}${change}`;
}
