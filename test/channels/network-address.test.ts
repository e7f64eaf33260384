import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { networkAddressOf } from '../../src/channels/network-address.ts';

const app = new Hono().get('/', (c) => c.json({ address: networkAddressOf(c) ?? null }));

/** A request as @hono/node-server hands it over (the Node request on `env`), or as Workers do (no socket). */
async function addressOf(headers: Record<string, string>, peer?: string): Promise<string | null> {
  const env = peer === undefined ? undefined : { incoming: { socket: { remoteAddress: peer } } };
  const response = await app.request('/', { headers }, env);
  return ((await response.json()) as { address: string | null }).address;
}

describe('networkAddressOf', () => {
  it('takes a peer on the internet as it is, whatever header it sends', async () => {
    expect(await addressOf({}, '203.0.113.7')).toBe('203.0.113.7');
    expect(await addressOf({ 'cf-connecting-ip': '198.51.100.1' }, '203.0.113.7')).toBe('203.0.113.7');
  });

  it('takes cf-connecting-ip from a proxy on this machine or a private network, else the proxy', async () => {
    expect(await addressOf({ 'cf-connecting-ip': '198.51.100.1' }, '127.0.0.1')).toBe('198.51.100.1');
    expect(await addressOf({ 'cf-connecting-ip': '2001:db8::5' }, '10.0.0.2')).toBe('2001:db8::5');
    expect(await addressOf({}, '::1')).toBe('::1');
    expect(await addressOf({ 'cf-connecting-ip': 'not an address' }, '127.0.0.1')).toBe('127.0.0.1');
  });

  it('takes cf-connecting-ip without a Node socket (Workers), and nothing that is not an address', async () => {
    expect(await addressOf({ 'cf-connecting-ip': '198.51.100.1' })).toBe('198.51.100.1');
    expect(await addressOf({ 'cf-connecting-ip': '1.2.3.4, 5.6.7.8' })).toBeNull();
    expect(await addressOf({})).toBeNull();
  });
});
