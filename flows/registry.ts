import type { FlowVersion } from '../src/engine/types.ts';
import { courses } from './courses/index.ts';
import { dailyCheckinFlow } from './daily-checkin.ts';
import { intro } from './intro.ts';
import { gad7Flow, measuresFlow, phq9Flow, screenFlow } from './questionnaires.ts';

/**
 * Every flow version the service can run. An enrollment is pinned to the version it started on, so a
 * version stays here as long as enrollments may still run it; new enrollments get the latest.
 */
export interface FlowRegistry {
  get(id: string, version: number): FlowVersion | undefined;
  latest(id: string): FlowVersion | undefined;
  all(): FlowVersion[];
}

export function createRegistry(flows: FlowVersion[]): FlowRegistry {
  const byId = new Map<string, Map<number, FlowVersion>>();
  for (const flow of flows) {
    const versions = byId.get(flow.id) ?? new Map<number, FlowVersion>();
    if (versions.has(flow.version)) throw new Error(`Flow ${flow.id}@${flow.version} registered twice`);
    versions.set(flow.version, flow);
    byId.set(flow.id, versions);
  }
  return {
    get: (id, version) => byId.get(id)?.get(version),
    latest: (id) => {
      const versions = byId.get(id);
      if (!versions) return undefined;
      return versions.get(Math.max(...versions.keys()));
    },
    all: () => [...byId.values()].flatMap((versions) => [...versions.values()]),
  };
}

export const defaultRegistry = createRegistry([
  intro,
  phq9Flow,
  gad7Flow,
  measuresFlow,
  screenFlow,
  dailyCheckinFlow,
  ...courses,
]);
