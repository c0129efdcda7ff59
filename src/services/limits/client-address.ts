// What identifies one client in a limit: its IPv4 address, or its IPv6 /64 (the prefix one
// subscriber is given, so rotating addresses inside it gains nothing). An IPv4 client seen through
// a dual-stack socket (`::ffff:a.b.c.d`) is the same client as `a.b.c.d`.
import { isIPv4, isIPv6 } from 'node:net';

/** The eight 16-bit groups of an IPv6 address, as numbers. */
function ipv6Groups(address: string): number[] {
  let text = address;
  const lastColon = text.lastIndexOf(':');
  const tail = text.slice(lastColon + 1);
  if (isIPv4(tail)) {
    const [a = 0, b = 0, c = 0, d = 0] = tail.split('.').map(Number);
    text = `${text.slice(0, lastColon + 1)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = '', rest] = text.split('::');
  const left = head === '' ? [] : head.split(':');
  const right = rest === undefined || rest === '' ? [] : rest.split(':');
  const zeros = rest === undefined ? 0 : 8 - left.length - right.length;
  return [...left, ...Array<string>(zeros).fill('0'), ...right].map((g) => parseInt(g, 16));
}

const isMappedV4 = (g: readonly number[]): boolean =>
  g.length === 8 && g.slice(0, 5).every((x) => x === 0) && g[5] === 0xffff;

export function clientAddressKey(address: string): string {
  const bare = address.split('%')[0] ?? address; // an IPv6 zone names an interface, not a client
  if (isIPv4(bare) || !isIPv6(bare)) return bare;
  const groups = ipv6Groups(bare);
  if (isMappedV4(groups)) {
    const [hi = 0, lo = 0] = groups.slice(6);
    return [hi >> 8, hi & 0xff, lo >> 8, lo & 0xff].join('.');
  }
  return `${groups
    .slice(0, 4)
    .map((g) => g.toString(16))
    .join(':')}::/64`;
}
