/**
 * Control characters other than tab, line feed and carriage return: C0, DEL and C1. No person types them,
 * they show as nothing, and a store that ends a string at NUL would keep "ok" of "ok\u0000 <crisis text>".
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/g;

/** A high surrogate without its low half, or a low one without its high half. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** What stands for a character that could not be kept: the Unicode replacement character. */
export const REPLACED = '\uFFFD';

/**
 * Text as a person wrote it, safe to store and show whole: every control character (but tab and line
 * breaks) and every lone surrogate becomes U+FFFD, so nothing after it is lost and the reader sees that
 * something was there. One rule for every channel's text, applied where a message comes in.
 */
export function faithfulText(text: string): string {
  return text.replace(LONE_SURROGATE, REPLACED).replace(CONTROL, REPLACED);
}
