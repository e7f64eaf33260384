import { describe, expect, it } from 'vitest';
import { courses } from '../../flows/courses/index.ts';
import { buildFlow } from '../../flows/kit/build.ts';
import { askChoice, end, say } from '../../flows/kit/steps.ts';
import { defaultRegistry } from '../../flows/registry.ts';
import { analyseFlow } from '../support/flow-graph.ts';

describe('flow graphs', () => {
  // Each course has its own graph test beside its other tests (test/flows/courses), tuned to its size.
  const courseIds = new Set(courses.map((c) => c.id));
  for (const flow of defaultRegistry.all().filter((f) => !courseIds.has(f.id))) {
    it(`${flow.id}@${flow.version}: every state reachable, every situation can finish, no dead ends`, () => {
      const report = analyseFlow(flow);
      expect(report.unreachable).toEqual([]);
      expect(report.stuck).toEqual([]);
      expect(report.withoutExit).toEqual([]);
    });
  }

  it('catches an unreachable state and a loop with no way out', () => {
    const broken = buildFlow({
      id: 'broken',
      version: 1,
      steps: [
        askChoice('loop', 'intro.ask_ready', [
          { value: 'yes', key: 'intro.choice_ready_yes', next: 'loop2' },
        ]),
        askChoice('loop2', 'intro.ask_ready', [
          { value: 'yes', key: 'intro.choice_ready_yes', next: 'loop' },
        ]),
        say('orphan', 'intro.welcome'),
        end('done'),
      ],
    });
    const report = analyseFlow(broken);
    expect(report.unreachable).toEqual(['broken.orphan', 'broken.done']);
    expect(report.stuck.length).toBeGreaterThan(0);
  });
});
