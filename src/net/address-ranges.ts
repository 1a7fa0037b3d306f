/**
 * @file The address ranges vidtok does not contact unless allowed: loopback, RFC 1918 private, carrier-grade NAT,
 * link-local (where cloud metadata services answer, 169.254.169.254 and fd00:ec2::254), IPv6 unique-local,
 * unspecified, and the IPv4-mapped forms of all of them. Each range has a name for refusal messages.
 */
import { BlockList, isIP } from 'node:net';

export type AddressClass =
  | 'loopback'
  | 'private'
  | 'link-local'
  | 'metadata'
  | 'unique-local'
  | 'unspecified'
  | 'shared (CGNAT)'
  | 'public';

interface RangeEntry {
  readonly name: Exclude<AddressClass, 'public'>;
  readonly list: BlockList;
}

function range(name: RangeEntry['name'], subnets: ReadonlyArray<[string, number, 'ipv4' | 'ipv6']>): RangeEntry {
  const list = new BlockList();
  for (const [network, prefix, family] of subnets) list.addSubnet(network, prefix, family);
  return { name, list };
}

// Order matters: the first match names the class (metadata before link-local).
const ranges: readonly RangeEntry[] = [
  range('metadata', [
    ['169.254.169.254', 32, 'ipv4'],
    ['fd00:ec2::254', 128, 'ipv6'],
    ['100.100.100.200', 32, 'ipv4'],
  ]),
  range('loopback', [
    ['127.0.0.0', 8, 'ipv4'],
    ['::1', 128, 'ipv6'],
  ]),
  range('unspecified', [
    ['0.0.0.0', 8, 'ipv4'],
    ['::', 128, 'ipv6'],
  ]),
  range('private', [
    ['10.0.0.0', 8, 'ipv4'],
    ['172.16.0.0', 12, 'ipv4'],
    ['192.168.0.0', 16, 'ipv4'],
  ]),
  range('shared (CGNAT)', [['100.64.0.0', 10, 'ipv4']]),
  range('link-local', [
    ['169.254.0.0', 16, 'ipv4'],
    ['fe80::', 10, 'ipv6'],
  ]),
  range('unique-local', [['fc00::', 7, 'ipv6']]),
];

/** `::ffff:a.b.c.d` (and the deprecated `::a.b.c.d`) as the IPv4 address they stand for. */
function unmapped(address: string): string {
  const mapped = /^(?:::ffff:|::)(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return mapped[1]!;
  const hexMapped = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i.exec(address);
  if (hexMapped) {
    const high = parseInt(hexMapped[1]!, 16);
    const low = parseInt(hexMapped[2]!, 16);
    return `${high >> 8}.${high & 255}.${low >> 8}.${low & 255}`;
  }
  return address;
}

/** Which class an IP address literal belongs to ('public' when none of the ranges). Throws on a non-IP string. */
export function classifyAddress(address: string): AddressClass {
  const plain = unmapped(address.replace(/^\[|\]$/g, '').replace(/%.*$/, ''));
  const family = isIP(plain);
  if (family === 0) throw new TypeError(`not an IP address: ${address}`);
  const type = family === 4 ? 'ipv4' : 'ipv6';
  for (const entry of ranges) if (entry.list.check(plain, type)) return entry.name;
  return 'public';
}

/** Whether `address` lies in `cidr` (`10.0.0.0/8`, `fd00::/8`, or a single address). */
export function addressInCidr(address: string, cidr: string): boolean {
  const [network, prefixText] = cidr.split('/');
  const plainNetwork = unmapped((network ?? '').replace(/^\[|\]$/g, ''));
  const plainAddress = unmapped(address.replace(/^\[|\]$/g, ''));
  const networkFamily = isIP(plainNetwork);
  const addressFamily = isIP(plainAddress);
  if (networkFamily === 0 || networkFamily !== addressFamily) return false;
  const type = networkFamily === 4 ? 'ipv4' : 'ipv6';
  const prefix = prefixText === undefined ? (networkFamily === 4 ? 32 : 128) : Number(prefixText);
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > (networkFamily === 4 ? 32 : 128)) return false;
  const list = new BlockList();
  list.addSubnet(plainNetwork, prefix, type);
  return list.check(plainAddress, type);
}
