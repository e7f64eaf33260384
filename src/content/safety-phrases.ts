import en from '../../content/safety-phrases/en.json' with { type: 'json' };
import nb from '../../content/safety-phrases/nb.json' with { type: 'json' };
import nn from '../../content/safety-phrases/nn.json' with { type: 'json' };
import { loadPhraseLists, type PhraseLists } from '../domain/safety/phrase-lists.ts';
import { ContentError } from './catalog.ts';

function load(): PhraseLists {
  const result = loadPhraseLists({ nb, nn, en });
  if (!result.ok) {
    const issue = result.error[0]!;
    throw new ContentError(`content/safety-phrases/${issue.locale}.json: ${issue.path} ${issue.message}`);
  }
  return result.value;
}

/** The crisis phrase lists (nb, nn, en), validated once at import. */
export const crisisPhrases: PhraseLists = load();
