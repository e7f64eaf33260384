import { describe, expect, it } from 'vitest';
import { playScript, scriptFiles } from './player.ts';

/**
 * Golden conversations: each `*.json` here is a script of what a client sends in the web chat or by SMS
 * (and how long they wait); `playScript` plays it through the real service, and the transcript is pinned in
 * `__golden__/<name>.txt`. Regenerate with `npx vitest run test/conversations -u` and review the diff.
 */
describe('golden conversations', () => {
  it('has scripts', () => expect(scriptFiles.length).toBeGreaterThan(0));

  for (const file of scriptFiles) {
    it(file.replace(/\.json$/, ''), async () => {
      await expect(await playScript(file)).toMatchFileSnapshot(
        `__golden__/${file.replace(/\.json$/, '.txt')}`,
      );
    });
  }
});
