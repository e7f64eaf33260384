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

/**
 * `channel` picks a text's SMS wording where it has one (`key_sms`): an SMS has no buttons to press, so
 * a text that tells the client to press one says what to type instead.
 */
export function renderReply(catalog: Catalog, locale: Locale, reply: Reply, channel?: string): RenderedReply {
  const sms = `${reply.key}_sms`;
  const key = channel === 'sms' && catalog.has(locale, sms) ? sms : reply.key;
  return {
    text: catalog.text(locale, key, reply.vars),
    ...(reply.choices
      ? { choices: reply.choices.map((c) => ({ label: catalog.text(locale, c.key), value: c.value })) }
      : {}),
    ...(reply.numbering === 'value' ? { numbering: 'value' as const } : {}),
    ...(reply.image
      ? { image: { src: illustrationPath(reply.image), alt: catalog.text(locale, imageAltKey(reply.image)) } }
      : {}),
  };
}
