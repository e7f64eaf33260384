import { buildFlow } from '../../flows/kit/build.ts';
import { askChoice, end, recordEvent } from '../../flows/kit/steps.ts';
import { createRegistry, defaultRegistry } from '../../flows/registry.ts';

/**
 * A flow with a bug: the step after its first question throws. For tests that a failing flow step is
 * handled as data (a polite reply, one alert), never as a 500.
 */
export const brokenFlow = buildFlow({
  id: 'broken',
  version: 1,
  steps: [
    askChoice('ready', 'intro.ask_ready', [{ value: 'yes', key: 'intro.choice_ready_yes' }]),
    recordEvent('boom', 'broken.recorded', () => {
      throw new Error('a bug in a flow step');
    }),
    end('done', 'intro.done'),
  ],
});

export const registryWithBrokenFlow = createRegistry([...defaultRegistry.all(), brokenFlow]);
