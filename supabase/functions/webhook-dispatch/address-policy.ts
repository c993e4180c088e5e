/**
 * Which addresses a webhook may be sent to. Checked at send time, on every address the
 * receiver's name resolves to, so a public name pointing at 10.0.0.1 is refused as 10.0.0.1 is.
 * Loopback, private (RFC 1918, CGNAT, IPv6 unique-local) and link-local ranges are refused
 * unless allowed; unspecified, multicast and reserved ones always are.
 */
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';

export type NetworkKind = 'loopback' | 'private' | 'link_local';
export type AddressKind = NetworkKind | 'public' | 'reserved';

/** Networks a deployment lets webhooks reach besides the public internet. */
export type AllowedNetworks = ReadonlySet<NetworkKind>;

const NETWORK_KINDS: readonly NetworkKind[] = ['loopback', 'private', 'link_local'];

/** `WEBHOOK_ALLOWED_NETWORKS`, e.g. `loopback` or `loopback,private`; unknown words are ignored. */
export function parseAllowedNetworks(value: string | undefined): AllowedNetworks {
  const words = (value ?? '').split(',').map((word) => word.trim().toLowerCase());
  return new Set(NETWORK_KINDS.filter((kind) => words.includes(kind)));
}

function ipv4Kind(address: string): AddressKind {
  const [a = 0, b = 0] = address.split('.').map(Number);
  if (a === 127) return 'loopback';
  if (a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168)) return 'private';
  if (a === 100 && b >= 64 && b <= 127) return 'private';
  if (a === 169 && b === 254) return 'link_local';
  if (a === 0 || a >= 224 || (a === 192 && b === 0) || (a === 198 && (b === 18 || b === 19)))
    return 'reserved';
  return 'public';
}

/** The 8 groups of an IPv6 address as numbers (`::` expanded, a dotted tail folded in). */
function ipv6Groups(address: string): number[] {
  let text = address.toLowerCase().split('%')[0] ?? '';
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted?.[1]) {
    const [a = 0, b = 0, c = 0, d = 0] = dotted[1].split('.').map(Number);
    text = `${text.slice(0, -dotted[1].length)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const zeros = tail === undefined ? [] : Array(8 - left.length - right.length).fill('0');
  return [...left, ...zeros, ...right].map((group) => Number.parseInt(group || '0', 16));
}

function ipv6Kind(address: string): AddressKind {
  const groups = ipv6Groups(address);
  const [first = 0] = groups;
  if (groups.slice(0, 5).every((group) => group === 0) && groups[5] === 0xffff) {
    const [hi = 0, lo = 0] = groups.slice(6);
    return ipv4Kind(`${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`);
  }
  if (groups.slice(0, 7).every((group) => group === 0)) return groups[7] === 1 ? 'loopback' : 'reserved';
  if ((first & 0xfe00) === 0xfc00) return 'private';
  if ((first & 0xffc0) === 0xfe80) return 'link_local';
  if ((first & 0xff00) === 0xff00) return 'reserved';
  return 'public';
}

export function addressKind(address: string): AddressKind {
  return isIP(address) === 6 ? ipv6Kind(address) : ipv4Kind(address);
}

/** Why `url` may not be sent to now, or null when every address it resolves to is allowed. */
export async function refusedDestination(url: URL, allowed: AllowedNetworks): Promise<string | null> {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  let addresses: string[];
  try {
    addresses = isIP(host) ? [host] : (await lookup(host, { all: true })).map((entry) => entry.address);
  } catch (error) {
    return `Could not resolve host ${host}: ${(error as Error).message}`;
  }
  for (const address of addresses) {
    const kind = addressKind(address);
    if (kind === 'public') continue;
    if (kind !== 'reserved' && allowed.has(kind)) continue;
    return `Refused to send to ${address} (${kind.replace('_', '-')} address)`;
  }
  return null;
}
