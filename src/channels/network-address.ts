import { getConnInfo } from '@hono/node-server/conninfo';
import type { Context } from 'hono';
import { z } from 'zod';
import { isPrivateNetworkAddress } from '../domain/network-address.ts';

const ipSchema = z.union([z.ipv4(), z.ipv6()]);

/** An IP address as the request gave it, validated; undefined for anything else. */
const ipOf = (value: string | undefined): string | undefined => {
  const parsed = ipSchema.safeParse(value?.trim());
  return parsed.success ? parsed.data : undefined;
};

/** The peer's address when @hono/node-server serves the request (it puts the Node request on `env`). */
function nodePeer(c: Context): string | undefined {
  const env = c.env as { incoming?: unknown; server?: { incoming?: unknown } } | undefined;
  if (!env || typeof env !== 'object' || !(env.incoming || env.server?.incoming)) return undefined;
  return ipOf(getConnInfo(c).remote.address);
}

/**
 * The network address a request came from, for rate limits; undefined when it is not known.
 *
 * - Node, a peer on the internet: the peer's own address. A header is not read, since anybody can send
 *   `cf-connecting-ip` and would get a fresh limit with every request.
 * - Node, a peer on this machine or a private network (a reverse proxy): `cf-connecting-ip` when present,
 *   else the peer. The proxy must set the header (and drop one the client sent), or all clients share the
 *   proxy's address.
 * - Cloudflare Workers (no Node socket): `cf-connecting-ip`, which Cloudflare sets.
 */
export function networkAddressOf(c: Context): string | undefined {
  const peer = nodePeer(c);
  const forwarded = ipOf(c.req.header('cf-connecting-ip'));
  if (peer === undefined) return forwarded;
  return isPrivateNetworkAddress(peer) ? (forwarded ?? peer) : peer;
}
