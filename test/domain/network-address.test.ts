import { describe, expect, it } from 'vitest';
import { isPrivateNetworkAddress, networkKeyOf } from '../../src/domain/network-address.ts';

describe('networkKeyOf', () => {
  it('keeps an IPv4 address, and reads one written as IPv6 as IPv4', () => {
    expect(networkKeyOf('203.0.113.7')).toBe('203.0.113.7');
    expect(networkKeyOf('::ffff:203.0.113.7')).toBe('203.0.113.7');
    expect(networkKeyOf('::FFFF:cb00:7107')).toBe('203.0.113.7');
  });

  it('takes the /64 of an IPv6 address, however it is written', () => {
    const key = '2001:db8:aa:bb::/64';
    for (const address of [
      '2001:db8:aa:bb::1',
      '2001:0DB8:00aa:00bb:ffff:1:2:3',
      '2001:db8:aa:bb:0:0:0:0',
      '2001:db8:aa:bb::9%eth0',
    ]) {
      expect(networkKeyOf(address)).toBe(key);
    }
    expect(networkKeyOf('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(networkKeyOf('::1')).toBe('0:0:0:0::/64');
    expect(networkKeyOf('64:ff9b::192.0.2.1')).toBe('64:ff9b:0:0::/64');
    expect(networkKeyOf('2001:db8:aa:bb::1')).not.toBe(networkKeyOf('2001:db8:aa:bc::1'));
  });

  it('gives anything that is not an address back unchanged', () => {
    expect(networkKeyOf('1::2::3')).toBe('1::2::3');
    expect(networkKeyOf('1:2:3')).toBe('1:2:3');
  });
});

describe('isPrivateNetworkAddress', () => {
  it('knows loopback, RFC 1918 and IPv6 local addresses from public ones', () => {
    for (const local of ['127.0.0.1', '10.1.2.3', '172.16.0.1', '172.31.255.255', '192.168.1.1', '::1']) {
      expect(isPrivateNetworkAddress(local), local).toBe(true);
    }
    for (const local of ['::ffff:127.0.0.1', 'fd12:3456::1', 'fe80::1%eth0']) {
      expect(isPrivateNetworkAddress(local), local).toBe(true);
    }
    for (const open of ['203.0.113.7', '172.32.0.1', '8.8.8.8', '2001:db8::1', '::ffff:8.8.8.8', 'garbage']) {
      expect(isPrivateNetworkAddress(open), open).toBe(false);
    }
  });
});
