import type { Catalog } from '../content/catalog.ts';
import { illustrationPath, imageAltKey } from '../content/illustrations.ts';
import type { Locale, Reply } from '../engine/types.ts';

/** A reply in words: what every channel formats in its own way (buttons, numbered options, cards). */
export interface RenderedReply {
  text: string;
  choices?: { label: string; value: string }[];
  /** 'value' when a typed number means the choice's value (questionnaires: 0-3), not its position. */
  numbering?: 'value';
  /** An illustration for channels that show pictures; text-only channels ignore it. */
  image?: { src: string; alt: string };
}

export function renderReply(catalog: Catalog, locale: Locale, reply: Reply): RenderedReply {
  return {
    text: catalog.text(locale, reply.key, reply.vars),
    ...(reply.choices
      ? { choices: reply.choices.map((c) => ({ label: catalog.text(locale, c.key), value: c.value })) }
      : {}),
    ...(reply.numbering === 'value' ? { numbering: 'value' as const } : {}),
    ...(reply.image
      ? { image: { src: illustrationPath(reply.image), alt: catalog.text(locale, imageAltKey(reply.image)) } }
      : {}),
  };
}
