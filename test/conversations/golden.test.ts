import { describe, expect, it } from 'vitest';
import { conversations, playConversation } from './player.ts';

/**
 * Golden conversations: each `*.chat` file here (or folder of `part-N.chat` files) is a conversation as
 * the client had it: what they sent, and below each line everything the service answered and recorded.
 * The player plays the input lines through the real service and the file must come out the same.
 * After a deliberate change, regenerate with `npx vitest run test/conversations -u` and review the diff.
 */
describe('golden conversations', () => {
  it('has conversations', () => expect(conversations.length).toBeGreaterThan(0));

  for (const conversation of conversations) {
    it(conversation.name, async () => {
      const contents = await playConversation(conversation);
      for (const [index, file] of conversation.files.entries()) {
        await expect(contents[index]).toMatchFileSnapshot(file);
      }
    });
  }
});
