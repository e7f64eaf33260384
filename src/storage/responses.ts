import type { Queryable } from './db.ts';
import { num, optStr, str } from './rows.ts';

export interface QuestionnaireResponse {
  id: string;
  clientId: string;
  enrollmentId?: string;
  instrument: string;
  instrumentVersion: string;
  items: number[];
  difficulty?: number;
  total: number;
  band?: string;
  caseness?: boolean;
  screenPositive?: boolean;
  channel: string;
  startedAt: string;
  completedAt: string;
}

const optBool = (row: Record<string, unknown>, column: string) =>
  row[column] === null || row[column] === undefined ? undefined : num(row, column) === 1;
const boolArg = (value: boolean | undefined) => (value === undefined ? null : value ? 1 : 0);

export async function insertResponse(q: Queryable, r: QuestionnaireResponse, now: string): Promise<void> {
  await q.execute({
    sql: `INSERT INTO questionnaire_responses (id, client_id, enrollment_id, instrument, instrument_version, items,
          difficulty, total, band, caseness, screen_positive, channel, started_at, completed_at, created_at)
          VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    args: [
      r.id,
      r.clientId,
      r.enrollmentId ?? null,
      r.instrument,
      r.instrumentVersion,
      JSON.stringify(r.items),
      r.difficulty ?? null,
      r.total,
      r.band ?? null,
      boolArg(r.caseness),
      boolArg(r.screenPositive),
      r.channel,
      r.startedAt,
      r.completedAt,
      now,
    ],
  });
}

export async function clientResponses(q: Queryable, clientId: string): Promise<QuestionnaireResponse[]> {
  const rows = (
    await q.execute({
      sql: 'SELECT * FROM questionnaire_responses WHERE client_id = ? ORDER BY completed_at, rowid',
      args: [clientId],
    })
  ).rows;
  return rows.map((row) => ({
    id: str(row, 'id'),
    clientId: str(row, 'client_id'),
    enrollmentId: optStr(row, 'enrollment_id'),
    instrument: str(row, 'instrument'),
    instrumentVersion: str(row, 'instrument_version'),
    items: JSON.parse(str(row, 'items')) as number[],
    difficulty: row.difficulty === null ? undefined : num(row, 'difficulty'),
    total: num(row, 'total'),
    band: optStr(row, 'band'),
    caseness: optBool(row, 'caseness'),
    screenPositive: optBool(row, 'screen_positive'),
    channel: str(row, 'channel'),
    startedAt: str(row, 'started_at'),
    completedAt: str(row, 'completed_at'),
  }));
}
