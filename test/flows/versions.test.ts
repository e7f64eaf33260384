import { afterEach, describe, expect, it } from 'vitest';
import { buildFlow } from '../../flows/kit/build.ts';
import { askChoice, end, say } from '../../flows/kit/steps.ts';
import { createRegistry } from '../../flows/registry.ts';
import { createClient } from '../../src/service/clients.ts';
import { handleInbound } from '../../src/service/handle-inbound.ts';
import { currentEnrollment, listEnrollments } from '../../src/storage/enrollments.ts';
import { type Harness, makeHarness } from '../support/harness.ts';

const yes = [{ value: 'yes', key: 'intro.acute_yes' }];
const v1 = buildFlow({
  id: 'check',
  version: 1,
  steps: [
    askChoice('first', 'intro.ask_ready', yes),
    askChoice('second', 'intro.ask_area', yes),
    end('done', 'intro.done'),
  ],
});
// Version 2 renames and reorders the states: a v1 snapshot would not make sense in it.
const v2 = buildFlow({
  id: 'check',
  version: 2,
  steps: [
    say('hello', 'intro.welcome'),
    askChoice('only', 'intro.ask_goal', yes),
    end('finished', 'intro.thanks'),
  ],
});

let h: Harness | undefined;
afterEach(() => h?.close());

describe('flow versions', () => {
  it('keeps an enrollment on the version it started on after a new version ships', async () => {
    h = await makeHarness({ file: true, flows: createRegistry([v1]) });
    const old = await createClient(h.deps, { course: 'check' });
    if (!old.ok) throw new Error();
    const say1 = (text: string, address = 'old') =>
      handleInbound(h!.deps, {
        channel: 'terminal',
        address,
        content: { kind: 'message', text },
        createAddress: true,
      });
    await say1(old.accessCode);
    await say1('1');
    const before = await h.deps.db.read((q) => currentEnrollment(q, old.clientId));
    expect(before?.persisted?.snapshot).toMatchObject({ value: 'second' });

    // Ship version 2: the registry now holds both.
    h.deps.flows = createRegistry([v1, v2]);
    const fresh = await createClient(h.deps, { course: 'check' });
    if (!fresh.ok) throw new Error();
    expect(fresh.flowVersion).toBe(2);

    const last = await say1('1');
    expect(last.kind === 'handled' && last.replies.map((r) => r.text)).toEqual([
      h.deps.catalog.text('nb', 'intro.done'),
    ]);
    const enrollments = await h.deps.db.read((q) => listEnrollments(q, old.clientId));
    expect(enrollments.map((e) => [e.flowVersion, e.status])).toEqual([[1, 'done']]);

    const started = await say1(fresh.accessCode, 'new');
    expect(started.kind === 'handled' && started.replies.map((r) => r.text).slice(1)).toEqual([
      h.deps.catalog.text('nb', 'intro.welcome'),
      h.deps.catalog.text('nb', 'intro.ask_goal'),
    ]);
  });

  it('refuses to register the same version twice', () => {
    expect(() => createRegistry([v1, v1])).toThrow(/registered twice/);
  });
});
