import type { SendResult } from '../../service/deps.ts';
import type { ConversationReference } from './activity.ts';

export interface PostOptions {
  fetch?: typeof fetch;
  /** Abort the request after this long and report it as retryable. Default 15 s. */
  timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 15_000;
/** A Retry-After longer than this is not waited for as said; backoff takes over from there. */
const MAX_RETRY_AFTER_MS = 60 * 60 * 1000;

/**
 * The Bot Connector's address for an activity: a reply goes to `…/activities/{replyToId}` (it threads under
 * the client's message), anything proactive to `…/activities`.
 */
export function activitiesUrl(reference: ConversationReference, replyToId?: string): string {
  const base = `${reference.serviceUrl.replace(/\/+$/, '')}/v3/conversations/${encodeURIComponent(reference.conversationId)}/activities`;
  return replyToId ? `${base}/${encodeURIComponent(replyToId)}` : base;
}

/** Retry-After in seconds, or as an HTTP date read against the response's own Date header. */
export function retryAfterMs(response: Response): number | undefined {
  const header = response.headers.get('retry-after')?.trim();
  if (!header) return undefined;
  let ms: number | undefined;
  if (/^\d+$/.test(header)) ms = Number(header) * 1000;
  else {
    const at = Date.parse(header);
    const sent = Date.parse(response.headers.get('date') ?? '');
    if (!Number.isNaN(at) && !Number.isNaN(sent)) ms = Math.max(0, at - sent);
  }
  return ms === undefined ? undefined : Math.min(ms, MAX_RETRY_AFTER_MS);
}

/**
 * Sends one activity to the Bot Connector. 429 and 5xx (and no answer) are retryable, with Retry-After
 * when given; 401 is retryable once the caller has dropped its token; 403 and 404 mean the conversation
 * cannot receive (the user blocked or removed the bot, or it is gone); other 4xx are permanent.
 */
export async function postActivity(
  url: string,
  activity: Record<string, unknown>,
  token: string | undefined,
  options: PostOptions = {},
): Promise<SendResult & { status?: number }> {
  const doFetch = options.fetch ?? fetch;
  let response: Response;
  try {
    response = await doFetch(url, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json; charset=utf-8',
        ...(token ? { Authorization: `Bearer ${token}` } : {}),
      },
      body: JSON.stringify(activity),
      signal: AbortSignal.timeout(options.timeoutMs ?? DEFAULT_TIMEOUT_MS),
    });
  } catch (error) {
    const name = error instanceof Error ? error.name : 'error';
    return { ok: false, retryable: true, error: `Bot Connector not reached (${name})` };
  }
  const body = await response.text().catch(() => '');
  if (response.ok) {
    let id: unknown;
    try {
      id = (JSON.parse(body) as { id?: unknown }).id;
    } catch {
      id = undefined;
    }
    return { ok: true, ...(typeof id === 'string' ? { providerId: id } : {}) };
  }
  const status = response.status;
  const error = `Bot Connector HTTP ${status}`;
  if (status === 429 || status >= 500 || status === 401) {
    const after = retryAfterMs(response);
    return {
      ok: false,
      retryable: true,
      error,
      status,
      ...(after !== undefined ? { retryAfterMs: after } : {}),
    };
  }
  if (status === 403 || status === 404)
    return { ok: false, retryable: false, error, status, address: 'undeliverable' };
  return { ok: false, retryable: false, error, status };
}
