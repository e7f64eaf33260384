import { type AnyMachineSnapshot, type AnyStateNode, initialTransition, transition } from 'xstate';
import { currentPrompt } from '../../src/engine/prompt.ts';
import type { FlowVersion } from '../../src/engine/types.ts';

export interface FlowGraphReport {
  states: string[];
  unreachable: string[];
  /** Explored situations (state + context) from which no sequence of answers and timers finishes the flow. */
  stuck: string[];
  /** Non-final states with no transition at all. */
  withoutExit: string[];
  explored: number;
}

const NOW = '2026-11-23T09:00:00.000Z';

function allStateNodes(node: AnyStateNode): AnyStateNode[] {
  return [node, ...Object.values(node.states).flatMap((child) => allStateNodes(child as AnyStateNode))];
}

/** The active state nodes for a state value, from the root down. */
function activeNodes(node: AnyStateNode, value: unknown): AnyStateNode[] {
  if (typeof value === 'string') return [node.states[value] as AnyStateNode];
  return Object.entries(value as Record<string, unknown>).flatMap(([key, child]) => {
    const childNode = node.states[key] as AnyStateNode;
    return [childNode, ...activeNodes(childNode, child)];
  });
}

/** Every event a person or a timer could send in this situation. */
function candidateEvents(snapshot: AnyMachineSnapshot): { type: string; [k: string]: unknown }[] {
  const events: { type: string; [k: string]: unknown }[] = [];
  const prompt = currentPrompt(snapshot);
  if (prompt?.prompt.choices) {
    for (const choice of prompt.prompt.choices) events.push({ type: 'INPUT', now: NOW, value: choice.value });
    events.push({ type: 'INPUT', now: NOW, text: 'pause' });
  } else {
    for (const text of ['Et svar', '0', '10', '08:00', '3']) events.push({ type: 'INPUT', now: NOW, text });
  }
  for (const node of activeNodes(snapshot.machine.root, snapshot.value)) {
    for (const delayed of node.after) events.push({ type: delayed.eventType, now: NOW });
  }
  return events;
}

/**
 * Explores a flow the way clients could move through it (every choice, a few typed answers, every timer)
 * and reports unreachable states, situations that cannot finish, and states without an exit. Each state
 * is explored with at most `contextsPerState` different sets of earlier answers, so long courses stay
 * finite; a branch that needs a rarer combination shows up as unreachable, never as a silent pass.
 */
export function analyseFlow(flow: FlowVersion, contextsPerState = 12, limit = 50_000): FlowGraphReport {
  const machine = flow.machine;
  const ids = allStateNodes(machine.root)
    .filter((n) => n !== machine.root)
    .map((n) => n.id);
  const withoutExit = allStateNodes(machine.root)
    .filter((n) => n !== machine.root && n.type === 'atomic')
    .filter((n) => {
      // A state can be left by its own transitions or by those of any state it is inside.
      for (let node: AnyStateNode | undefined = n; node && node !== machine.root; node = node.parent) {
        if (node.transitions.size > 0 || node.always !== undefined || node.after.length > 0) return false;
      }
      return true;
    })
    .map((n) => n.id);

  // Situations differ by state and by the answers that branches may look at; a questionnaire's item
  // answers never steer a branch, so only how far it got counts.
  const projected = (answers: Record<string, unknown>) =>
    Object.fromEntries(
      Object.entries(answers).map(([k, v]) =>
        typeof v === 'object' && v !== null && 'items' in v
          ? [k, (v as { items: unknown[] }).items.length]
          : [k, v],
      ),
    );
  const key = (s: AnyMachineSnapshot) =>
    JSON.stringify({ value: s.value, answers: projected(s.context.answers ?? {}), status: s.status });
  const [initial] = initialTransition(machine, { locale: 'nb', timeZone: 'Europe/Oslo', now: NOW });
  const seen = new Map<string, AnyMachineSnapshot>([[key(initial), initial]]);
  // from -> (to -> the state value of `to`), so a situation left unexplored can be judged by its state.
  const edges = new Map<string, Map<string, string>>();
  const visited = new Set<string>();
  const perValue = new Map<string, number>();
  const queue = [initial];
  while (queue.length && seen.size < limit) {
    const snapshot = queue.shift()!;
    const from = key(snapshot);
    for (const node of activeNodes(machine.root, snapshot.value)) visited.add(node.id);
    if (snapshot.status !== 'active') continue;
    const targets = edges.get(from) ?? new Map<string, string>();
    for (const event of candidateEvents(snapshot)) {
      const [next] = transition(machine, snapshot, event as never);
      const to = key(next);
      if (to === from) continue;
      targets.set(to, JSON.stringify(next.value));
      const valueKey = JSON.stringify(next.value);
      const contexts = perValue.get(valueKey) ?? 0;
      if (!seen.has(to) && contexts < contextsPerState) {
        perValue.set(valueKey, contexts + 1);
        seen.set(to, next);
        queue.push(next);
      }
    }
    edges.set(from, targets);
  }
  if (queue.length)
    throw new Error(`${flow.id}: more than ${limit} situations; the graph test needs a bigger limit`);

  // Walk backwards from every finished situation. A situation the exploration cut off counts as able to
  // finish when an explored situation in the same state can.
  const canFinish = new Set([...seen].filter(([, s]) => s.status === 'done').map(([k]) => k));
  const finishingStates = new Set([...canFinish].map((k) => JSON.stringify(seen.get(k)!.value)));
  let grew = true;
  while (grew) {
    grew = false;
    for (const [from, targets] of edges) {
      if (canFinish.has(from)) continue;
      const finishes = [...targets].some(
        ([to, value]) => canFinish.has(to) || (!seen.has(to) && finishingStates.has(value)),
      );
      if (finishes) {
        canFinish.add(from);
        finishingStates.add(JSON.stringify(seen.get(from)!.value));
        grew = true;
      }
    }
  }
  const stuck = [...seen.keys()].filter((k) => !canFinish.has(k));

  // States a turn passes through without resting (`always`) never show as a snapshot: count them as
  // reached when a reached state leads to them.
  const byId = new Map(allStateNodes(machine.root).map((n) => [n.id, n]));
  const targetsOf = (n: AnyStateNode): AnyStateNode[] =>
    [...[...n.transitions.values()].flat(), ...(n.always ?? []), ...n.after].flatMap((t) => t.target ?? []);
  const initialIds =
    initial.value === undefined ? [] : activeNodes(machine.root, initial.value).map((n) => n.id);
  const reached = new Set([...visited, machine.root.initial?.target?.[0]?.id ?? '', ...initialIds]);
  let added = true;
  while (added) {
    added = false;
    for (const id of [...reached]) {
      const node = byId.get(id);
      if (!node) continue;
      for (const target of targetsOf(node)) {
        if (!reached.has(target.id) && (target.always !== undefined || target.type === 'final')) {
          reached.add(target.id);
          added = true;
        }
      }
      if (node.always !== undefined) {
        for (const target of targetsOf(node)) {
          if (!reached.has(target.id)) {
            reached.add(target.id);
            added = true;
          }
        }
      }
    }
  }
  return {
    states: ids,
    unreachable: ids.filter((id) => !reached.has(id)),
    stuck,
    withoutExit,
    explored: seen.size,
  };
}
