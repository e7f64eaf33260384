import {
  CLINIC_CONTRACT_DEFAULTS,
  type ContractCheckContext,
  type ContractDraft,
  type ContractFields,
  type ContractIssue,
  type ContractStatus,
  checkContract,
  contractQuestion,
  contractWaitsFor,
  defaultContract,
  followPlan,
  isContractCourse,
  localDateOf,
  readContractAnswer,
} from '../domain/contract.ts';
import type { DomainEvent, Locale, Reply } from '../engine/types.ts';
import { type AddressRecord, preferredAddress } from '../storage/addresses.ts';
import type { ClientRecord } from '../storage/clients.ts';
import {
  type ContractRecord,
  contractShown,
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
import { currentEnrollment, type EnrollmentRecord, switchPendingCourse } from '../storage/enrollments.ts';
import { appendEvent } from '../storage/events.ts';
import { findStaffById } from '../storage/staff.ts';
import { upsertTimer } from '../storage/timers.ts';
import { audit } from './audit.ts';
import { planContacts } from './contacts.ts';
import { contractFormOf, contractReplies, courseStartAt, courseStartTimer } from './course-gate.ts';
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
  /** The fields do not make a contract: `issues` says which and why, `message` the same in English. */
  | { ok: false; error: 'invalid'; message: string; issues: ContractIssue[] }
  /** Signing: there is no draft (nothing, or the newest version is sent or signed already). */
  | { ok: false; error: 'nothing_to_sign' }
  /** Waiving: the client has no course to start. */
  | { ok: false; error: 'no_enrollment' }
  /** Waiving: the client signed a contract already; a waiver has nothing left to let start. */
  | { ok: false; error: 'already_signed' }
  /** Waiving: the course has a waiver already (its reason stays as recorded). */
  | { ok: false; error: 'already_waived' }
  /** Drafting: a change of course once the course has started (a new course is needed instead). */
  | { ok: false; error: 'course_started' };

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

const refused = (issues: ContractIssue[]): ContractActionOutcome => ({
  ok: false,
  error: 'invalid',
  message: issues.map((i) => i.message).join('; '),
  issues,
});

/** What the checks that depend on the day need: today for the client, and the version in force. */
function checkContext(all: ContractRecord[], now: Date, client: ClientRecord): ContractCheckContext {
  const inForce = all.find((c) => c.status === 'signed')?.fields;
  return {
    today: localDateOf(now, client.timeZone),
    ...(inForce ? { inForce: { startDate: inForce.startDate, firstDate: inForce.contacts.firstDate } } : {}),
  };
}

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
  return staffAction(deps, actor, clientId, 'contract.draft', (client) =>
    draftFor(deps, actor, client, input, 'draft'),
  );
}

/** Drafts under the client's lock; `sign`: the fields must make a contract ready to sign, or nothing is written. */
async function draftFor(
  deps: ServiceDeps,
  actor: StaffActor,
  client: ClientRecord,
  input: ContractFieldsInput,
  purpose: 'draft' | 'sign',
): Promise<ContractActionOutcome> {
  {
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
      // A signed change of course takes effect only before the course starts (answerContract); once a
      // part has opened, the course is kept and the change is refused here, before anyone signs it.
      if (
        merged.course !== base.course &&
        enrollment?.status === 'active' &&
        isContractCourse(enrollment.flowId) &&
        merged.course !== enrollment.flowId
      )
        return { ok: false, error: 'course_started' };
      // The period follows the plan: a new start, pace or contact plan moves the expected end (and a
      // default first contact moves with the start), unless the input gives its own end date.
      const planned = followPlan(base, merged, localDateOf(now, client.timeZone));
      const checked = checkContract(planned, purpose, checkContext(all, now, client));
      if (!checked.ok) return refused(checked.issues);
      if (editable) {
        if (!(await updateDraft(tx, latest.id, checked.fields, now.toISOString()))) throw new WriteConflict();
      } else {
        await insertContract(tx, {
          id: deps.ids.id(),
          clientId: client.id,
          version: (latest?.version ?? 0) + 1,
          fields: checked.fields,
          draftedBy: actor.staffId,
          now: now.toISOString(),
        });
      }
      return { ok: true, contract: (await contractViewOf(tx, client))! };
    });
    return outcome;
  }
}

/**
 * The therapist signs the newest draft: it must be complete (focus, one to three goals) and still valid
 * today (it does not start in the past). It goes to the client at once in the channel they last wrote
 * from (an SMS held for the send window), as a `contract_sent` trigger; a client who has not linked a
 * channel yet is shown it when they do. With `input`, those fields are drafted first, in the same step,
 * and only when they make a contract ready to sign (a refusal writes nothing).
 */
export async function signContractAsTherapist(
  deps: ServiceDeps,
  actor: StaffActor,
  clientId: string,
  input?: ContractFieldsInput,
): Promise<ContractActionOutcome> {
  return staffAction(deps, actor, clientId, 'contract.sign', async (client) => {
    if (input) {
      const drafted = await draftFor(deps, actor, client, input, 'sign');
      if (!drafted.ok) return drafted;
    }
    const now = deps.clock();
    const all = await deps.db.read((q) => listContracts(q, client.id));
    const [latest] = all;
    if (!latest || (latest.status !== 'draft' && latest.status !== 'changes_requested'))
      return { ok: false, error: 'nothing_to_sign' };
    const checked = checkContract(latest.fields, 'sign', checkContext(all, now, client));
    if (!checked.ok) return refused(checked.issues);
    const fields: ContractFields = checked.fields;
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
    const contracts = await deps.db.read((q) => listContracts(q, client.id));
    if (contracts.some((c) => c.status === 'signed')) return { ok: false, error: 'already_signed' };
    if ((await deps.db.read((q) => contractWaiver(q, enrollment.id))) !== undefined)
      return { ok: false, error: 'already_waived' };
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
 *
 * Accepting signs only a version this conversation was shown (`contractShown`): a "JA" after a discreet
 * notice whose content STOP dropped, a stale or crafted `contract.accept`, an answer while the number is
 * opted out, get the contract shown here instead, and nothing is signed.
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

  const fields = contract.fields as ContractFields;
  if (answer.kind === 'accept' && !(await shownHere(deps, contract.id, address))) {
    const replies = contractReplies(deps.catalog, fields, address.channel, {
      version: contract.version,
      locale,
    });
    return deps.db.write((tx) =>
      writeTurn(deps, tx, {
        now,
        address,
        clientId: client.id,
        locale,
        inbound: turn.inbound,
        events: [],
        replies,
      }),
    );
  }
  if (answer.kind === 'accept') {
    // A change of course signed before any part opened: the course that waits becomes the signed one.
    const enrollment = signedCourse(deps, turn.enrollment, fields.course);
    // A course that has not started waits for the signed start date (the gate tells the client when).
    const startAt =
      enrollment?.status === 'pending' && isContractCourse(enrollment.flowId)
        ? courseStartAt(fields.startDate, client, now)
        : undefined;
    const outcome = await runTurn(
      deps,
      { now, client, enrollment, address, locale },
      {
        kind: 'contract_signed',
        version: contract.version,
        paceDays: fields.paceDays,
        startDate: fields.startDate,
      },
      {
        inbound: turn.inbound,
        lead: [{ key: 'contract.accepted' }],
        leadEvents: [{ type: 'contract.signed', data: { ...data, via: address.channel } }],
        alongside: async (tx) => {
          if (
            !(await markSigned(tx, { id: contract.id, clientId: client.id, via: address.channel, now: at }))
          )
            throw new WriteConflict();
          if (enrollment && enrollment !== turn.enrollment) {
            const switched = { ...enrollment, rowVersion: turn.enrollment!.rowVersion, now: at };
            if (!(await switchPendingCourse(tx, switched))) throw new WriteConflict();
          }
          // Signed by both: the plan follows (contacts, a questionnaire and a reminder before each).
          await planContacts(deps, tx, client.id, contract.id, fields, client.timeZone);
          // The timer that opens the course on its start date; a later version moves it, and a course
          // that starts now (this turn, or later by any other way in) cancels it (run-turn.ts).
          if (startAt && enrollment) await upsertTimer(tx, enrollment.id, courseStartTimer(startAt), at);
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

/**
 * The enrollment a signed contract runs: the one the client is in, or, when the contract names another
 * course and the course has not started (pending, no part opened), that course, at its newest version
 * (one row version on: answerContract switches the row in the signing's transaction). A course that has
 * started keeps its flow: drafting a change of course is refused then (draftContract).
 */
function signedCourse(
  deps: ServiceDeps,
  enrollment: EnrollmentRecord | undefined,
  course: string,
): EnrollmentRecord | undefined {
  if (
    !enrollment ||
    enrollment.flowId === course ||
    enrollment.status !== 'pending' ||
    enrollment.persisted !== undefined ||
    !isContractCourse(enrollment.flowId)
  )
    return enrollment;
  const flow = deps.flows.latest(course);
  if (!flow) return enrollment;
  return { ...enrollment, flowId: flow.id, flowVersion: flow.version, rowVersion: enrollment.rowVersion + 1 };
}

/** Whether the contract's text reached this conversation, which is not opted out (answerContract). */
async function shownHere(deps: ServiceDeps, contractId: string, address: AddressRecord): Promise<boolean> {
  if (address.optedOutAt) return false;
  const push = deps.senders[address.channel]?.mode === 'push';
  return deps.db.read((q) => contractShown(q, contractId, address.id, push));
}
