/**
 * The part of a network address that identifies one sender, for rate limits: an IPv4 address as it is,
 * and for IPv6 its /64 prefix, since one subscriber is routinely given a whole /64 and could otherwise
 * pick a fresh address for every attempt. An IPv4 address written as IPv6 (`::ffff:192.0.2.1`) is the
 * IPv4 address. Expects an address already validated at the edge; anything else comes back unchanged.
 */
export function networkKeyOf(address: string): string {
  const bare = address.trim().toLowerCase().replace(/%.*$/, '');
  if (!bare.includes(':')) return bare;
  const groups = ipv6Groups(bare);
  if (!groups) return bare;
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) {
    const [high, low] = [groups[6]!, groups[7]!];
    return [high >> 8, high & 0xff, low >> 8, low & 0xff].join('.');
  }
  return `${groups
    .slice(0, 4)
    .map((g) => g.toString(16))
    .join(':')}::/64`;
}

/** The eight 16-bit groups of an IPv6 address; undefined if it is not one. */
function ipv6Groups(address: string): number[] | undefined {
  const halves = address.split('::');
  if (halves.length > 2) return undefined;
  const head = groupsOf(halves[0]);
  const tail = groupsOf(halves[1]);
  if (!head || !tail) return undefined;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined;
  return [...head, ...Array<number>(halves.length === 1 ? 0 : missing).fill(0), ...tail];
}

/** The groups of one side of `::`; an IPv4 address at the end (`64:ff9b::192.0.2.1`) is two groups. */
function groupsOf(half: string | undefined): number[] | undefined {
  if (!half) return [];
  const groups: number[] = [];
  for (const part of half.split(':')) {
    if (/^[0-9a-f]{1,4}$/.test(part)) groups.push(Number.parseInt(part, 16));
    else if (/^\d{1,3}(\.\d{1,3}){3}$/.test(part)) {
      const bytes = part.split('.').map(Number);
      if (bytes.some((b) => b > 255)) return undefined;
      const [a, b, c, d] = bytes as [number, number, number, number];
      groups.push((a << 8) | b, (c << 8) | d);
    } else return undefined;
  }
  return groups;
}

/**
 * Whether a peer is on this machine or a private network (loopback, RFC 1918, IPv6 unique-local and
 * link-local): where a reverse proxy in front of the server would connect from.
 */
export function isPrivateNetworkAddress(address: string): boolean {
  const key = networkKeyOf(address);
  const v4 = /^(\d{1,3})\.(\d{1,3})\.\d{1,3}\.\d{1,3}$/.exec(key);
  if (v4) {
    const [a, b] = [Number(v4[1]), Number(v4[2])];
    return a === 127 || a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168);
  }
  const groups = ipv6Groups(address.trim().toLowerCase().replace(/%.*$/, ''));
  if (!groups) return false;
  const loopback = groups.slice(0, 7).every((g) => g === 0) && groups[7] === 1;
  return loopback || (groups[0]! & 0xfe00) === 0xfc00 || (groups[0]! & 0xffc0) === 0xfe80;
}
