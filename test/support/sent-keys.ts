/**
 * Whether a flow whose texts are `textKeys` sends `key`: one of its texts, or the SMS wording of one
 * (`key_sms`, which the renderer picks on SMS where it exists: src/service/render.ts).
 */
export function sendsKey(textKeys: readonly string[], key: string): boolean {
  return textKeys.includes(key) || (key.endsWith('_sms') && textKeys.includes(key.slice(0, -'_sms'.length)));
}
