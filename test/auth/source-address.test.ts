/**
 * The source a login is counted against: the socket's address, X-Forwarded-For believed only as far
 * as the trusted proxies go, IPv6 grouped per /64 and IPv4-mapped IPv6 as IPv4.
 */
import { describe, expect, it } from 'vitest';
import { loginSource, sourceKey } from '../../src/auth/source-address.ts';

describe('login source address', () => {
  it('counts IPv4 per address, IPv6 per /64, IPv4-mapped IPv6 as IPv4', () => {
    expect(sourceKey('203.0.113.7')).toBe('203.0.113.7');
    expect(sourceKey('2001:db8:1:2:aaaa::1')).toBe('2001:db8:1:2::/64');
    expect(sourceKey('2001:db8:1:2:ffff:ffff:ffff:ffff')).toBe('2001:db8:1:2::/64');
    expect(sourceKey('2001:0db8:0001:0002:0000:0000:0000:0001')).toBe('2001:db8:1:2::/64');
    expect(sourceKey('::1')).toBe('0:0:0:0::/64');
    expect(sourceKey('::ffff:192.0.2.1')).toBe('192.0.2.1');
    // uWebSockets.js writes IPv6 in full, mapped IPv4 included.
    expect(sourceKey('0000:0000:0000:0000:0000:ffff:7f00:0001')).toBe('127.0.0.1');
    expect(sourceKey('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
    expect(sourceKey('not an address')).toBe('?not an address');
    expect(sourceKey('x'.repeat(500))).toHaveLength(65);
  });

  it('believes X-Forwarded-For only as far as the trusted proxies go', () => {
    // No trusted proxy: the header is the client's own words and is ignored.
    expect(loginSource('10.0.0.5', '198.51.100.1', 0)).toBe('10.0.0.5');
    // One load balancer (10.0.0.5): the entry it appended, whatever the client put before it.
    expect(loginSource('10.0.0.5', '1.1.1.1, 198.51.100.1', 1)).toBe('198.51.100.1');
    // Two proxies: the entry the outer one appended.
    expect(loginSource('10.0.0.5', '1.1.1.1, 198.51.100.1, 10.0.0.9', 2)).toBe('198.51.100.1');
    // Fewer entries than proxies: the leftmost there is.
    expect(loginSource('10.0.0.5', '', 1)).toBe('10.0.0.5');
    expect(loginSource('10.0.0.5', '198.51.100.1', 3)).toBe('198.51.100.1');
    expect(loginSource(undefined, undefined, 0)).toBe('?');
  });
});
