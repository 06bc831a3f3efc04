/**
 * The source a login attempt is counted against: the peer address or, behind `trustedProxies`, the
 * X-Forwarded-For entry the outermost trusted one wrote; IPv6 per /64, IPv4-mapped as IPv4.
 */
import { isIPv4, isIPv6 } from 'node:net';

export function loginSource(remoteAddress: string | undefined, forwardedFor: string | undefined, trustedProxies: number): string {
  const hops = [...(forwardedFor ? forwardedFor.split(',') : []), remoteAddress ?? ''].map((s) => s.trim());
  // Each trusted proxy appended the address it saw; whatever lies further left the client wrote itself.
  const seen = hops[Math.max(hops.length - 1 - trustedProxies, 0)]!;
  return sourceKey(seen);
}

export function sourceKey(address: string): string {
  if (isIPv4(address)) return address;
  const groups = isIPv6(address) ? ipv6Groups(address) : undefined;
  // Not an address (a proxy sent garbage): counted as itself, bounded so it cannot grow a key.
  if (!groups) return `?${address.slice(0, 64)}`;
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) {
    return [groups[6]! >> 8, groups[6]! & 255, groups[7]! >> 8, groups[7]! & 255].join('.');
  }
  return `${groups
    .slice(0, 4)
    .map((g) => g.toString(16))
    .join(':')}::/64`;
}

/** The eight 16-bit groups of a valid IPv6 address (zone dropped, embedded IPv4 tail converted). */
function ipv6Groups(address: string): number[] {
  const bare = address.replace(/%.*$/, '');
  const [head, tail] = bare.includes('::') ? bare.split('::') : [bare, undefined];
  const parse = (part: string | undefined) =>
    (part ? part.split(':') : []).flatMap((g) => {
      if (!g.includes('.')) return [parseInt(g, 16)];
      const [a, b, c, d] = g.split('.').map(Number) as [number, number, number, number];
      return [(a << 8) | b, (c << 8) | d];
    });
  const left = parse(head);
  const right = parse(tail);
  return [...left, ...Array<number>(8 - left.length - right.length).fill(0), ...right];
}
