import {
  CLINIC_CONTRACT_DEFAULTS,
  type ContractDraft,
  type ContractFields,
  type ContractStatus,
  contractDraftSchema,
  contractFieldsSchema,
  contractQuestion,
  contractWaitsFor,
  defaultContract,
  endDateForPace,
  isContractCourse,
  localDateOf,
  readContractAnswer,
} from '../domain/contract.ts';
import type { DomainEvent, Locale, Reply } from '../engine/types.ts';
import { type AddressRecord, preferredAddress } from '../storage/addresses.ts';
import type { ClientRecord } from '../storage/clients.ts';
import {
  type ContractRecord,
  contractWaiver,
  findContract,
  insertContract,
  listContracts,
  markChangeRequested,
  markSent,
  markSigned,
  setContractWaiver,
  updateDraft,
} from '../storage/contracts.ts';
import type { Queryable } from '../storage/db.ts';
import { currentEnrollment, type EnrollmentRecord } from '../storage/enrollments.ts';
import { appendEvent } from '../storage/events.ts';
import { findStaffById } from '../storage/staff.ts';
import { audit } from './audit.ts';
import { planContacts } from './contacts.ts';
import { contractFormOf } from './course-gate.ts';
import type { ServiceDeps } from './deps.ts';
import { WriteConflict } from './errors.ts';
import { runTurn } from './run-turn.ts';
import type { StaffActor } from './staff-actor.ts';
import { visibleClient } from './visible-client.ts';
import { type TurnWrite, type WrittenTurn, writeTurn } from './write-turn.ts';

/*
 * The guidance contract (CLINICAL.md §6; the fields and the pure rules are src/domain/contract.ts).
 *
 * Versions and their statuses: the therapist drafts (`draft`, editable), signs (`sent`: the client is
 * sent it in their channel), and the client accepts (`signed`: both signatures, and the version in force
 * before becomes `superseded`) or asks for a change (`changes_requested`, with their words; the therapist
 * edits, which makes it a draft again, and signs anew). A change to a signed contract is a new version.
 *
 * The staff side follows client-actions.ts: visibility (404 for what the actor may not see), the action
 * under the client's lock (the client's own turns run under it too), then one audit row. The client side
 * is `answerContract`, called by handleInbound after the safety check and the keywords, while a contract
 * waits for the client; accepting is a `contract_signed` trigger through the one door, which starts a
 * course that waited for it.
 */

/** A signature as the API and the page show it. */
export interface ContractVersionView {
  id: string;
  version: number;
  status: ContractStatus;
  fields: ContractDraft;
  therapistSignature: { by: string; name?: string; at: string } | null;
  clientSignature: { at: string; via: string } | null;
  /** The client asked for a change: their words (null while they have not said what) and when. */
  changeRequest?: { text: string | null; at: string };
  createdAt: string;
  updatedAt: string;
}

export interface ContractView extends ContractVersionView {
  /** Every version, newest first (the current one included). */
  history: ContractVersionView[];
  /** Whether the client's course waits for this contract (a course, a therapist, nothing signed or waived). */
  courseWaits: boolean;
  /** Why the therapist let the course start without a signed contract, if they did. */
  waivedReason: string | null;
}

const versionView = (c: ContractRecord, names: Map<string, string>): ContractVersionView => ({
  id: c.id,
  version: c.version,
  status: c.status,
  fields: c.fields,
  therapistSignature:
    c.therapistSignedBy && c.therapistSignedAt
      ? { by: c.therapistSignedBy, name: names.get(c.therapistSignedBy), at: c.therapistSignedAt }
      : null,
  clientSignature:
    c.clientSignedAt && c.clientSignedVia ? { at: c.clientSignedAt, via: c.clientSignedVia } : null,
  ...(c.changeRequestedAt
    ? { changeRequest: { text: c.changeRequest ?? null, at: c.changeRequestedAt } }
    : {}),
  createdAt: c.createdAt,
  updatedAt: c.updatedAt,
});

/** The client's contract with its history, read inside the caller's (audited) read; undefined if none. */
export async function contractViewOf(
  q: Queryable,
  client: Pick<ClientRecord, 'id' | 'therapistId'>,
): Promise<ContractView | undefined> {
  const all = await listContracts(q, client.id);
  const enrollment = await currentEnrollment(q, client.id);
  const waivedReason = enrollment ? ((await contractWaiver(q, enrollment.id)) ?? null) : null;
  const [current] = all;
  if (!current) return undefined;
  const names = new Map<string, string>();
  for (const id of new Set(all.flatMap((c) => (c.therapistSignedBy ? [c.therapistSignedBy] : [])))) {
    const staff = await findStaffById(q, id);
    if (staff) names.set(id, staff.name);
  }
  const history = all.map((c) => versionView(c, names));
  return {
    ...history[0]!,
    history,
    courseWaits: courseWaits(client, enrollment, all, waivedReason),
    waivedReason,
  };
}

function courseWaits(
  client: Pick<ClientRecord, 'therapistId'>,
  enrollment: EnrollmentRecord | undefined,
  all: ContractRecord[],
  waivedReason: string | null,
): boolean {
  return (
    client.therapistId !== undefined &&
    enrollment !== undefined &&
    enrollment.status === 'pending' &&
    isContractCourse(enrollment.flowId) &&
    waivedReason === null &&
    !all.some((c) => c.status === 'signed')
  );
}

/** The client's contract for staff: undefined for no such client, one the actor may not see, or no contract. */
export async function contractForStaff(
  deps: ServiceDeps,
  actor: StaffActor,
  clientId: string,
): Promise<ContractView | undefined> {
  return deps.db.write(async (tx) => {
    const client = await visibleClient(tx, actor, clientId);
    if (!client) return undefined;
    const view = await contractViewOf(tx, client);
    if (view) await audit(tx, actor, deps.clock(), { action: 'contract.view', clientId });
    return view;
  });
}

/** A draft's fields as the therapist sends them: any subset; nested groups may be given in part. */
export type ContractFieldsInput = {
  [K in keyof ContractDraft]?: ContractDraft[K] extends object
    ? ContractDraft[K] extends unknown[]
      ? ContractDraft[K]
      : Partial<ContractDraft[K]>
    : ContractDraft[K];
};

export type ContractActionOutcome =
  | { ok: true; contract: ContractView }
  | { ok: true; waived: { reason: string; enrollmentId: string } }
  | { ok: false; error: 'not_found' }
  /** The fields do not make a contract (`message` says which and why). */
  | { ok: false; error: 'invalid'; message: string }
  /** Signing: there is no draft (nothing, or the newest version is sent or signed already). */
  | { ok: false; error: 'nothing_to_sign' }
  /** Waiving: the client has no course to start. */
  | { ok: false; error: 'no_enrollment' };

/** Merges what the therapist sent over a base, one level deep (contacts, measurement, channels, quiet). */
function merge(base: ContractDraft, input: ContractFieldsInput): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(input)) {
    if (value === undefined) continue;
    const before = out[key];
    out[key] =
      value !== null && typeof value === 'object' && !Array.isArray(value) && typeof before === 'object'
        ? { ...(before as object), ...value }
        : value;
  }
  return out;
}

const describe = (issues: { path: PropertyKey[]; message: string }[]) =>
  issues.map((i) => `fields.${i.path.map(String).join('.')}: ${i.message}`).join('; ');

/** The texts a new draft starts with, in the client's language. */
const defaultTexts = (deps: ServiceDeps, locale: Locale) => ({
  dataSharing: deps.catalog.text(locale, 'contract.default.data_sharing'),
  ending: deps.catalog.text(locale, 'contract.default.ending'),
});

/**
 * Drafts a contract, or edits the one not yet signed by the client. With none (or only signed ones),
 * a new version starts from the one in force, or from the clinic's defaults (CONTRACT_* settings).
 */
export async function draftContract(
  deps: ServiceDeps,
  actor: StaffActor,
  clientId: string,
  input: ContractFieldsInput = {},
): Promise<ContractActionOutcome> {
  return staffAction(deps, actor, clientId, 'contract.draft', async (client) => {
    const now = deps.clock();
    const outcome = await deps.db.write(async (tx): Promise<ContractActionOutcome> => {
      const all = await listContracts(tx, client.id);
      const [latest] = all;
      const editable = latest && latest.status !== 'signed' && latest.status !== 'superseded';
      const enrollment = await currentEnrollment(tx, client.id);
      const base =
        latest?.fields ??
        defaultContract(deps.defaults.contract ?? CLINIC_CONTRACT_DEFAULTS, {
          course: enrollment && isContractCourse(enrollment.flowId) ? enrollment.flowId : 'depression',
          today: localDateOf(now, client.timeZone),
          phone: client.phone,
          texts: defaultTexts(deps, client.locale),
        });
      const merged = merge(base, input);
      // A new pace without a new end date moves the expected end with it.
      if (
        typeof input.paceDays === 'number' &&
        input.paceDays !== base.paceDays &&
        input.endDate === undefined &&
        typeof merged.startDate === 'string'
      ) {
        merged.endDate = endDateForPace(merged.startDate, input.paceDays, localDateOf(now, client.timeZone));
      }
      const parsed = contractDraftSchema.safeParse(merged);
      if (!parsed.success) return { ok: false, error: 'invalid', message: describe(parsed.error.issues) };
      if (editable) {
        if (!(await updateDraft(tx, latest.id, parsed.data, now.toISOString()))) throw new WriteConflict();
      } else {
        await insertContract(tx, {
          id: deps.ids.id(),
          clientId: client.id,
          version: (latest?.version ?? 0) + 1,
          fields: parsed.data,
          draftedBy: actor.staffId,
          now: now.toISOString(),
        });
      }
      return { ok: true, contract: (await contractViewOf(tx, client))! };
    });
    return outcome;
  });
}

/**
 * The therapist signs the newest draft: it must be complete (focus, one to three goals). It goes to the
 * client at once in the channel they last wrote from (an SMS held for the send window), as a
 * `contract_sent` trigger; a client who has not linked a channel yet is shown it when they do.
 */
export async function signContractAsTherapist(
  deps: ServiceDeps,
  actor: StaffActor,
  clientId: string,
): Promise<ContractActionOutcome> {
  return staffAction(deps, actor, clientId, 'contract.sign', async (client) => {
    const now = deps.clock();
    const [latest] = await deps.db.read((q) => listContracts(q, client.id));
    if (!latest || (latest.status !== 'draft' && latest.status !== 'changes_requested'))
      return { ok: false, error: 'nothing_to_sign' };
    const parsed = contractFieldsSchema.safeParse(latest.fields);
    if (!parsed.success) return { ok: false, error: 'invalid', message: describe(parsed.error.issues) };
    const fields: ContractFields = parsed.data;
    const address = await deps.db.read((q) => preferredAddress(q, client.id, now));
    const event: DomainEvent = {
      type: 'contract.sent',
      data: { contractId: latest.id, version: latest.version },
    };
    const sign = async (tx: Queryable) => {
      if (!(await markSent(tx, latest.id, actor.staffId, now.toISOString()))) throw new WriteConflict();
    };
    if (address) {
      const enrollment = await deps.db.read((q) => currentEnrollment(q, client.id));
      await runTurn(
        deps,
        { now, client, enrollment, address, locale: client.locale },
        { kind: 'contract_sent', version: latest.version, fields },
        {
          alongside: sign,
          // A version the client asked to change comes back saying so: the contract alone reads as the
          // same agreement sent again (by SMS it can be word for word the same, e.g. a new contact mode).
          lead: latest.changeRequestedAt !== undefined ? [{ key: 'contract.change_answered' }] : [],
          leadEvents: [event],
          scheduledFor: { timeZone: client.timeZone },
        },
      );
    } else {
      await deps.db.write(async (tx) => {
        await sign(tx);
        await appendEvent(tx, { clientId: client.id, event, now: now.toISOString() });
      });
    }
    return { ok: true, contract: (await deps.db.read((q) => contractViewOf(q, client)))! };
  });
}

/**
 * The therapist lets the client's current course start without a signed contract, and records why. A
 * course that waited for it starts now if the client has a channel (as a new enrollment would on first
 * contact); otherwise on their first message.
 */
export async function waiveContract(
  deps: ServiceDeps,
  actor: StaffActor,
  clientId: string,
  reason: string,
): Promise<ContractActionOutcome> {
  return staffAction(deps, actor, clientId, 'contract.waive', async (client) => {
    const now = deps.clock();
    const { enrollment, address } = await deps.db.read(async (q) => ({
      enrollment: await currentEnrollment(q, client.id),
      address: await preferredAddress(q, client.id, now),
    }));
    if (!enrollment) return { ok: false, error: 'no_enrollment' };
    const record = async (tx: Queryable) => {
      await setContractWaiver(tx, enrollment.id, reason);
      await appendEvent(tx, {
        clientId: client.id,
        enrollmentId: enrollment.id,
        event: { type: 'contract.waived', data: { enrollmentId: enrollment.id, by: actor.staffId } },
        now: now.toISOString(),
      });
    };
    await deps.db.write(record);
    // The course starts as it would have on the client's first message: the gate reads the waiver.
    if (address && enrollment.status === 'pending') {
      await runTurn(
        deps,
        { now, client, enrollment, address, locale: client.locale },
        { kind: 'start_enrollment' },
        { scheduledFor: { timeZone: client.timeZone } },
      );
    }
    return { ok: true, waived: { reason, enrollmentId: enrollment.id } };
  });
}

/** Visibility, then the action under the client's lock, then one audit row when it succeeded. */
async function staffAction(
  deps: ServiceDeps,
  actor: StaffActor,
  clientId: string,
  action: string,
  run: (client: ClientRecord) => Promise<ContractActionOutcome>,
): Promise<ContractActionOutcome> {
  const client = await deps.db.read((q) => visibleClient(q, actor, clientId));
  if (!client) return { ok: false, error: 'not_found' };
  const outcome = await deps.locks.run(`client:${client.id}`, async () => {
    for (let attempt = 0; ; attempt++) {
      try {
        return await run(client);
      } catch (error) {
        if (error instanceof WriteConflict && attempt < 3) continue;
        throw error;
      }
    }
  });
  if (outcome.ok)
    await deps.db.write((tx) => audit(tx, actor, deps.clock(), { action, clientId: client.id }));
  return outcome;
}

/** A client's message while a contract waits for them, after safety and keywords (handle-inbound.ts). */
export interface ContractAnswerTurn {
  now: Date;
  address: AddressRecord;
  client: ClientRecord;
  locale: Locale;
  enrollment: EnrollmentRecord | undefined;
  contractId: string;
  inbound: NonNullable<TurnWrite['inbound']>;
  answer: { text?: string; value?: string };
}

/**
 * Reads the client's message as their answer to the contract that waits for them: accepting signs it
 * (and a course that waited for it starts, through the one door); "change" asks what, and their words
 * (in the same message or the next) are kept on the contract for the therapist; anything else is asked
 * again, politely. The message itself is always in the transcript.
 */
export async function answerContract(deps: ServiceDeps, turn: ContractAnswerTurn): Promise<WrittenTurn> {
  const { now, address, client, locale } = turn;
  const contract = await deps.db.read((q) => findContract(q, turn.contractId));
  const waits = contract && contractWaitsFor(contract);
  // It moved on since the turn's context was read (the therapist edited it): read everything again.
  if (!contract || !waits) throw new WriteConflict();
  const answer = readContractAnswer(turn.answer, waits);
  const at = now.toISOString();
  const data = { contractId: contract.id, version: contract.version };

  if (answer.kind === 'accept') {
    const fields = contract.fields as ContractFields;
    const outcome = await runTurn(
      deps,
      { now, client, enrollment: turn.enrollment, address, locale },
      { kind: 'contract_signed', version: contract.version, paceDays: fields.paceDays },
      {
        inbound: turn.inbound,
        lead: [{ key: 'contract.accepted' }],
        leadEvents: [{ type: 'contract.signed', data: { ...data, via: address.channel } }],
        alongside: async (tx) => {
          if (
            !(await markSigned(tx, { id: contract.id, clientId: client.id, via: address.channel, now: at }))
          )
            throw new WriteConflict();
          // Signed by both: the plan follows (contacts, a questionnaire and a reminder before each).
          await planContacts(deps, tx, client.id, contract.id, fields, client.timeZone);
        },
      },
    );
    return { replies: outcome.replies, cursor: outcome.cursor };
  }

  let replies: Reply[];
  let events: DomainEvent[] = [];
  let change: { words?: string } | undefined;
  if (answer.kind === 'change') {
    change = { words: answer.words };
    replies = [{ key: answer.words ? 'contract.change_noted' : 'contract.ask_change' }];
    events = [
      { type: 'contract.change_requested', data: { ...data, described: answer.words !== undefined } },
    ];
  } else {
    replies = [{ key: 'contract.reask' }, contractQuestion(contractFormOf(address.channel))];
  }
  return deps.db.write(async (tx) => {
    if (change && !(await markChangeRequested(tx, { id: contract.id, words: change.words, now: at })))
      throw new WriteConflict();
    return writeTurn(deps, tx, {
      now,
      address,
      clientId: client.id,
      locale,
      inbound: turn.inbound,
      events,
      replies,
    });
  });
}
