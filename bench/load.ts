/**
 * The load generator: N lanes (one keep-alive connection each, at most) that drive either whole web chat
 * conversations through the intro flow, or single requests to the floor server. Runs in a worker thread
 * by default (see run.ts), so the client's own CPU does not share the server's event loop.
 */
import { randomUUID } from 'node:crypto';
import { Agent, request } from 'node:http';
import { parentPort, workerData } from 'node:worker_threads';

export interface ServicePhase {
  kind: 'service';
  url: string;
  concurrency: number;
  /** Access codes of pre-created clients: one conversation each. */
  accessCodes: string[];
  /** The last reply of a finished intro (nb), to check each conversation really reached the end. */
  doneText: string;
  maxSeconds: number;
}

export interface FloorPhase {
  kind: 'floor';
  url: string;
  concurrency: number;
  requests: number;
  maxSeconds: number;
}

export type Phase = ServicePhase | FloorPhase;

export interface PhaseResult {
  /** Successful requests (turns). */
  ok: number;
  errors: number;
  firstErrors: string[];
  /** Conversations that reached the end of the intro (service phase only). */
  completed: number;
  /** Latency of every successful request, in ms. */
  latencies: number[];
  /** Which turn of its conversation each latency belongs to (0 = start, 1 = access code, …). */
  turnOf: number[];
  elapsedMs: number;
  timedOut: boolean;
  /** Distinct keep-alive sockets the client opened. */
  sockets: number;
  /** The slowest requests: when (ms into the phase), which turn of its conversation, how long. */
  slowest: { atMs: number; turn: number; ms: number; round?: number }[];
  /** Requests sent again on a new socket because the server had closed the idle one we reused. */
  retries: number;
}

interface Reply {
  text: string;
  choices?: { label: string; value: string }[];
}

interface ChatResponse {
  conversationId: string;
  replies: Reply[];
  cursor: number;
}

/** Answers to the intro, in order after the access code: a suitable client who finishes the flow. */
const AREAS = ['depression', 'anxiety', 'sleep', 'stress', 'unsure'];
const IMPACTS = ['little', 'some'];
const OCCUPATIONS = ['yes', 'at_risk', 'sick_leave', 'no'];
type Answer = { value: string } | { text: string };
function introAnswers(i: number): Answer[] {
  return [
    { value: 'yes' }, // ready
    { value: AREAS[i % AREAS.length]! },
    { value: IMPACTS[i % IMPACTS.length]! },
    { value: 'no' }, // acute
    { value: OCCUPATIONS[i % OCCUPATIONS.length]! },
    { value: 'yes' }, // motivation
    { text: `Mål nummer ${i}: gå en tur tre ganger i uka` },
    { text: `${String(17 + (i % 5)).padStart(2, '0')}:30` },
  ];
}

class HttpError extends Error {}

/**
 * One POST. A keep-alive socket the server closed just as we reused it (its idle timeout) fails with
 * ECONNRESET before anything was processed: that is retried once on a new socket, as Node's docs advise.
 * Service requests carry a messageId, so even a retry of a processed message would change nothing.
 */
async function post(
  agent: Agent,
  url: URL,
  path: string,
  body: unknown,
  timeoutMs: number,
  onRetry: () => void,
  headers: Record<string, string> = {},
): Promise<{ status: number; json: unknown; ms: number }> {
  const started = performance.now();
  try {
    return await postOnce(agent, url, path, body, timeoutMs, started, headers);
  } catch (error) {
    if (!(error instanceof StaleSocket)) throw error;
    onRetry();
    return await postOnce(agent, url, path, body, timeoutMs, started, headers);
  }
}

class StaleSocket extends Error {}

function postOnce(
  agent: Agent,
  url: URL,
  path: string,
  body: unknown,
  timeoutMs: number,
  started: number,
  headers: Record<string, string>,
): Promise<{ status: number; json: unknown; ms: number }> {
  const data = Buffer.from(JSON.stringify(body));
  return new Promise((resolve, reject) => {
    const req = request(
      {
        agent,
        host: url.hostname,
        port: url.port,
        path,
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json', 'content-length': data.length },
        timeout: timeoutMs,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const ms = performance.now() - started;
          const text = Buffer.concat(chunks).toString('utf8');
          let json: unknown;
          try {
            json = JSON.parse(text);
          } catch {
            json = text;
          }
          resolve({ status: res.statusCode ?? 0, json, ms });
        });
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new HttpError(`timeout after ${timeoutMs} ms`)));
    req.on('error', (error: NodeJS.ErrnoException) => {
      const stale = req.reusedSocket && (error.code === 'ECONNRESET' || error.message === 'socket hang up');
      reject(stale ? new StaleSocket(error.message) : error);
    });
    req.end(data);
  });
}

/** One keep-alive agent per server for the whole run: later phases reuse the warm-up's connections. */
const agents = new Map<string, { agent: Agent; sockets: Set<unknown> }>();

export function closeAgents(): void {
  for (const { agent } of agents.values()) agent.destroy();
  agents.clear();
}

export async function runPhase(phase: Phase): Promise<PhaseResult> {
  const url = new URL(phase.url);
  if (url.hostname !== '127.0.0.1') throw new Error(`refusing to load anything but 127.0.0.1 (${url})`);
  const key = `${url.origin} ${phase.concurrency}`;
  let entry = agents.get(key);
  if (!entry) {
    const agent = new Agent({
      keepAlive: true,
      maxSockets: phase.concurrency,
      maxFreeSockets: phase.concurrency,
    });
    const sockets = new Set<unknown>();
    agent.on('free', (s) => sockets.add(s));
    entry = { agent, sockets };
    agents.set(key, entry);
  }
  const { agent, sockets } = entry;
  const started = performance.now();
  const deadline = started + phase.maxSeconds * 1000;
  const timeoutMs = 30_000;
  const result: PhaseResult = {
    ok: 0,
    errors: 0,
    firstErrors: [],
    completed: 0,
    latencies: [],
    turnOf: [],
    elapsedMs: 0,
    timedOut: false,
    sockets: 0,
    slowest: [],
    retries: 0,
  };
  const record = (ms: number, turn: number) => {
    result.ok++;
    result.latencies.push(ms);
    result.turnOf.push(turn);
    const slowest = result.slowest;
    if (slowest.length < 5 || ms > slowest[slowest.length - 1]!.ms) {
      slowest.push({ atMs: Math.round(performance.now() - started - ms), turn, ms: Math.round(ms) });
      slowest.sort((a, b) => b.ms - a.ms);
      if (slowest.length > 5) slowest.pop();
    }
  };
  const retried = () => {
    result.retries++;
  };
  const fail = (message: string) => {
    result.errors++;
    if (result.firstErrors.length < 5) result.firstErrors.push(message);
  };
  const expired = () => {
    if (performance.now() < deadline) return false;
    result.timedOut = true;
    return true;
  };

  if (phase.kind === 'floor') {
    let next = 0;
    const lane = async () => {
      while (next < phase.requests && !expired()) {
        const i = next++;
        try {
          const r = await post(agent, url, '/floor', { text: `request ${i}` }, timeoutMs, retried);
          if (r.status !== 200) fail(`floor ${r.status}: ${JSON.stringify(r.json).slice(0, 200)}`);
          else record(r.ms, 0);
        } catch (error) {
          fail(`floor: ${String(error)}`);
        }
      }
    };
    await Promise.all(Array.from({ length: phase.concurrency }, lane));
  } else {
    let next = 0;
    const turn = async (body: Record<string, unknown>, n: number, from: string): Promise<ChatResponse> => {
      // Each synthetic client comes from a network address of its own, as people do (the server is on
      // 127.0.0.1, a private peer, so it takes the address from cf-connecting-ip as behind a proxy): the
      // limit on new conversations per network address counts, and is not what the bench measures.
      const headers = { 'cf-connecting-ip': from };
      const r = await post(agent, url, '/channels/web/messages', body, timeoutMs, retried, headers);
      if (r.status !== 200) throw new HttpError(`HTTP ${r.status}: ${JSON.stringify(r.json).slice(0, 200)}`);
      const json = r.json as ChatResponse;
      if (!json.conversationId || !Array.isArray(json.replies) || json.replies.length === 0)
        throw new HttpError(`unexpected body: ${JSON.stringify(r.json).slice(0, 200)}`);
      record(r.ms, n);
      return json;
    };
    const conversation = async (i: number, accessCode: string) => {
      const base = { locale: 'nb', messageId: randomUUID() };
      const from = `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
      const welcome = await turn(base, 0, from);
      const conversationId = welcome.conversationId;
      let last = await turn(
        { conversationId, locale: 'nb', messageId: randomUUID(), text: accessCode },
        1,
        from,
      );
      for (const [n, answer] of introAnswers(i).entries()) {
        const prompt = last.replies[last.replies.length - 1]!;
        if ('value' in answer && !prompt.choices?.some((c) => c.value === answer.value))
          throw new HttpError(
            `expected a choice "${answer.value}", got: ${JSON.stringify(prompt).slice(0, 200)}`,
          );
        if ('text' in answer && prompt.choices?.length)
          throw new HttpError(`expected a free-text question, got: ${JSON.stringify(prompt).slice(0, 200)}`);
        last = await turn({ conversationId, locale: 'nb', messageId: randomUUID(), ...answer }, n + 2, from);
      }
      const final = last.replies[last.replies.length - 1]!;
      if (final.text !== phase.doneText)
        throw new HttpError(`conversation did not end: ${JSON.stringify(final).slice(0, 200)}`);
      result.completed++;
    };
    const lane = async () => {
      while (next < phase.accessCodes.length && !expired()) {
        const i = next++;
        try {
          await conversation(i, phase.accessCodes[i]!);
        } catch (error) {
          fail(`conversation ${i}: ${String(error)}`);
        }
      }
    };
    await Promise.all(Array.from({ length: phase.concurrency }, lane));
  }
  result.elapsedMs = performance.now() - started;
  result.sockets = sockets.size;
  return result;
}

// Worker entry: run the phases the main thread posts, one at a time, and post each result back.
if (parentPort && (workerData as { benchLoad?: boolean } | undefined)?.benchLoad) {
  const port = parentPort;
  port.on('message', (message: { phase?: Phase; exit?: boolean }) => {
    if (message.exit) {
      closeAgents();
      port.close();
      return;
    }
    if (!message.phase) return;
    runPhase(message.phase).then(
      (result) => port.postMessage({ result }),
      (error: unknown) => port.postMessage({ error: String(error) }),
    );
  });
  port.postMessage({ ready: true });
}
