/**
 * Whether a Content-Type header names exactly `type` ("application/json; charset=utf-8" does;
 * "text/plain; application/json" and "application/jsonx" do not): the media type before any
 * parameters, compared without case as RFC 9110 says.
 */
export function isMediaType(header: string | undefined, type: string): boolean {
  if (header === undefined) return false;
  const [essence = ''] = header.split(';');
  return essence.trim().toLowerCase() === type;
}
