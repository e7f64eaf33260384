import type { ContractDraft, ContractStatus } from '../domain/contract.ts';
import type { Queryable } from './db.ts';
import { num, optStr, str } from './rows.ts';

/** One version of a client's guidance contract (table `contracts`, migration 0009). */
export interface ContractRecord {
  id: string;
  clientId: string;
  version: number;
  status: ContractStatus;
  /** As drafted; a version past `draft` passed the full check (`contractFieldsSchema`) when it was signed. */
  fields: ContractDraft;
  draftedBy?: string;
  therapistSignedBy?: string;
  therapistSignedAt?: string;
  clientSignedAt?: string;
  /** The channel the client answered in (`web`, `sms`, …). */
  clientSignedVia?: string;
  changeRequest?: string;
  changeRequestedAt?: string;
  createdAt: string;
  updatedAt: string;
}

const toContract = (row: Record<string, unknown>): ContractRecord => ({
  id: str(row, 'id'),
  clientId: str(row, 'client_id'),
  version: num(row, 'version'),
  status: str(row, 'status') as ContractStatus,
  fields: JSON.parse(str(row, 'fields')) as ContractDraft,
  draftedBy: optStr(row, 'drafted_by'),
  therapistSignedBy: optStr(row, 'therapist_signed_by'),
  therapistSignedAt: optStr(row, 'therapist_signed_at'),
  clientSignedAt: optStr(row, 'client_signed_at'),
  clientSignedVia: optStr(row, 'client_signed_via'),
  changeRequest: optStr(row, 'change_request'),
  changeRequestedAt: optStr(row, 'change_requested_at'),
  createdAt: str(row, 'created_at'),
  updatedAt: str(row, 'updated_at'),
});

export async function insertContract(
  q: Queryable,
  c: { id: string; clientId: string; version: number; fields: ContractDraft; draftedBy: string; now: string },
): Promise<void> {
  await q.execute({
    sql: `INSERT INTO contracts (id, client_id, version, status, fields, drafted_by, created_at, updated_at)
          VALUES (?, ?, ?, 'draft', ?, ?, ?, ?)`,
    args: [c.id, c.clientId, c.version, JSON.stringify(c.fields), c.draftedBy, c.now, c.now],
  });
}

export async function findContract(q: Queryable, id: string): Promise<ContractRecord | undefined> {
  const row = (await q.execute({ sql: 'SELECT * FROM contracts WHERE id = ?', args: [id] })).rows[0];
  return row ? toContract(row) : undefined;
}

/** Every version of a client's contract, newest first. */
export async function listContracts(q: Queryable, clientId: string): Promise<ContractRecord[]> {
  const { rows } = await q.execute({
    sql: 'SELECT * FROM contracts WHERE client_id = ? ORDER BY version DESC',
    args: [clientId],
  });
  return rows.map(toContract);
}

/** The newest version signed by both (the one in force), if any. */
export async function signedContract(q: Queryable, clientId: string): Promise<ContractRecord | undefined> {
  const row = (
    await q.execute({
      sql: `SELECT * FROM contracts WHERE client_id = ? AND status = 'signed' ORDER BY version DESC LIMIT 1`,
      args: [clientId],
    })
  ).rows[0];
  return row ? toContract(row) : undefined;
}

/**
 * Edits a version the client has not signed (draft, sent or changes requested): it becomes a draft
 * again, and a therapist's signature on it lapses. False when the version has moved on meanwhile.
 */
export async function updateDraft(
  q: Queryable,
  id: string,
  fields: ContractDraft,
  now: string,
): Promise<boolean> {
  const result = await q.execute({
    sql: `UPDATE contracts SET fields = ?, status = 'draft', therapist_signed_by = NULL, therapist_signed_at = NULL,
            updated_at = ?
          WHERE id = ? AND status IN ('draft', 'sent', 'changes_requested')`,
    args: [JSON.stringify(fields), now, id],
  });
  return result.rowsAffected === 1;
}

/**
 * The therapist signs a draft: it goes to the client (`sent`). False when it is no draft any more. The
 * newest transcript row is noted with it: only text written after it shows this version (`contractShown`).
 */
export async function markSent(q: Queryable, id: string, by: string, now: string): Promise<boolean> {
  const result = await q.execute({
    sql: `UPDATE contracts SET status = 'sent', therapist_signed_by = ?, therapist_signed_at = ?, updated_at = ?,
            sent_after_seq = (SELECT COALESCE(max(seq), 0) FROM transcript)
          WHERE id = ? AND status IN ('draft', 'changes_requested')`,
    args: [by, now, now, id],
  });
  return result.rowsAffected === 1;
}

/**
 * The client accepts a version sent to them (or one whose change they had not yet described): it is
 * signed by both, and the version in force before it becomes `superseded`. False when it was not waiting.
 */
export async function markSigned(
  q: Queryable,
  c: { id: string; clientId: string; via: string; now: string },
): Promise<boolean> {
  const result = await q.execute({
    sql: `UPDATE contracts SET status = 'signed', client_signed_at = ?, client_signed_via = ?, updated_at = ?
          WHERE id = ? AND (status = 'sent' OR (status = 'changes_requested' AND change_request IS NULL))
            AND therapist_signed_at IS NOT NULL`,
    args: [c.now, c.via, c.now, c.id],
  });
  if (result.rowsAffected !== 1) return false;
  await q.execute({
    sql: `UPDATE contracts SET status = 'superseded', updated_at = ?
          WHERE client_id = ? AND status = 'signed' AND id != ?`,
    args: [c.now, c.clientId, c.id],
  });
  return true;
}

/**
 * Withdraws the version that waits for the client (sent to them, or a change asked for) when the
 * therapist who signed it no longer follows the client up: it becomes a draft again, without that
 * signature, so the client's "yes" no longer signs it, and the therapist now responsible signs it
 * anew, which sends it again (and moves `sent_after_seq`: the text shown before no longer counts).
 * The client's words of a change stay for that therapist; a "change" whose words never came is dropped
 * with the wait for them. Answers the version withdrawn, or undefined when none waited.
 */
export async function withdrawWaiting(
  q: Queryable,
  clientId: string,
  now: string,
): Promise<ContractRecord | undefined> {
  const [latest] = await listContracts(q, clientId);
  if (!latest || (latest.status !== 'sent' && latest.status !== 'changes_requested')) return undefined;
  await q.execute({
    sql: `UPDATE contracts SET status = 'draft', therapist_signed_by = NULL, therapist_signed_at = NULL,
            change_requested_at = CASE WHEN change_request IS NULL THEN NULL ELSE change_requested_at END,
            updated_at = ?
          WHERE id = ? AND status IN ('sent', 'changes_requested')`,
    args: [now, latest.id],
  });
  return latest;
}

/** A reply of the SMS summary (`contract.sms`, `contract.sms_amended`, … but not the question alone). */
const isSmsSummary = (key: string) => `(${key} LIKE 'contract.sms%' AND ${key} != 'contract.sms_question')`;
/** The reply that starts a contract's text: the whole text's first in the chat, the summary by SMS. */
const startsText = (key: string) =>
  `(${key} IN ('contract.full.intro', 'contract.full.amended') OR ${isSmsSummary(key)})`;
/** The reply that ends it: the question with its buttons (the chat), or the summary itself (SMS). */
const endsText = (key: string) => `(${key} = 'contract.question' OR ${isSmsSummary(key)})`;

/**
 * Whether the version the therapist signed last reached this conversation, so that the client's "yes"
 * can sign it (CLINICAL.md §6: consent to what they read). Its text must have been written here after
 * the therapist signed it; on a push channel (`push`: SMS, Bot Framework) every outbox row of that text,
 * from its first reply to its question, must also have been sent: not held behind a discreet notice,
 * not dropped by STOP, not waiting, not failed. One statement.
 */
export async function contractShown(
  q: Queryable,
  contractId: string,
  addressId: string,
  push: boolean,
): Promise<boolean> {
  const sent = `o.status IN ('sent', 'delivered')`;
  const pushed = `AND NOT EXISTS (
            SELECT 1 FROM transcript t
            WHERE t.address_id = r.address_id AND t.direction = 'out' AND t.seq >= r.seq
              AND t.seq <= COALESCE((SELECT min(e.seq) FROM transcript e
                WHERE e.address_id = r.address_id AND e.direction = 'out' AND e.seq >= r.seq
                  AND ${endsText("json_extract(e.payload, '$.reply.key')")}), r.seq)
              AND (NOT EXISTS (SELECT 1 FROM outbox o WHERE o.address_id = t.address_id
                                 AND o.transcript_seq = t.seq AND ${sent})
                   OR EXISTS (SELECT 1 FROM outbox o WHERE o.address_id = t.address_id
                                AND o.transcript_seq = t.seq AND NOT ${sent})))`;
  const row = (
    await q.execute({
      sql: `SELECT EXISTS (
              SELECT 1 FROM contracts c JOIN transcript r ON r.address_id = ?
              WHERE c.id = ? AND r.direction = 'out' AND r.seq > COALESCE(c.sent_after_seq, 0)
                AND ${startsText("json_extract(r.payload, '$.reply.key')")}
                ${push ? pushed : ''}) AS shown`,
      args: [addressId, contractId],
    })
  ).rows[0]!;
  return num(row, 'shown') === 1;
}

/** The client asks for a change; `words` when they said what (NULL: the next message says it). */
export async function markChangeRequested(
  q: Queryable,
  c: { id: string; words?: string; now: string },
): Promise<boolean> {
  const result = await q.execute({
    sql: `UPDATE contracts SET status = 'changes_requested', change_request = ?, change_requested_at = ?,
            updated_at = ?
          WHERE id = ? AND (status = 'sent' OR (status = 'changes_requested' AND change_request IS NULL))`,
    args: [c.words ?? null, c.now, c.now, c.id],
  });
  return result.rowsAffected === 1;
}

/** The therapist's reason for letting the course start without a signed contract. */
export async function setContractWaiver(q: Queryable, enrollmentId: string, reason: string): Promise<void> {
  await q.execute({
    sql: 'UPDATE enrollments SET contract_waived_reason = ? WHERE id = ?',
    args: [reason, enrollmentId],
  });
}

export async function contractWaiver(q: Queryable, enrollmentId: string): Promise<string | undefined> {
  const row = (
    await q.execute({
      sql: 'SELECT contract_waived_reason FROM enrollments WHERE id = ?',
      args: [enrollmentId],
    })
  ).rows[0];
  return row ? optStr(row, 'contract_waived_reason') : undefined;
}

/**
 * What a course that is about to start needs to know: the newest version of the
 * client's contract, the version in force, and whether the therapist waived the contract for it.
 */
export async function courseGateState(
  q: Queryable,
  clientId: string,
  enrollmentId: string,
): Promise<{ latest?: ContractRecord; signed?: ContractRecord; waivedReason?: string }> {
  const all = await listContracts(q, clientId);
  const waivedReason = await contractWaiver(q, enrollmentId);
  return { latest: all[0], signed: all.find((c) => c.status === 'signed'), waivedReason };
}
