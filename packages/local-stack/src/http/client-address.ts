import { BlockList, isIP } from 'node:net';

/** `::ffff:127.0.0.1` (an IPv4 client of a dual-stack socket) is `127.0.0.1`. */
function normalize(address: string): string {
  const trimmed = address.trim();
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(trimmed);
  return mapped?.[1] ?? trimmed;
}

function familyOf(address: string): 'ipv4' | 'ipv6' | undefined {
  const version = isIP(address);
  return version === 4 ? 'ipv4' : version === 6 ? 'ipv6' : undefined;
}

/**
 * The reverse proxies in front of the stack, as addresses or CIDR ranges. Built once from
 * configuration; an entry that is neither throws, so a typo fails start-up instead of
 * quietly trusting nobody (or everybody).
 */
export class TrustedProxies {
  private readonly list = new BlockList();
  readonly entries: readonly string[];

  constructor(entries: readonly string[]) {
    this.entries = entries;
    for (const entry of entries) {
      const [address = '', prefix, extra] = entry.trim().split('/');
      const family = familyOf(normalize(address));
      const bits = prefix === undefined ? undefined : Number(prefix);
      const maxBits = family === 'ipv4' ? 32 : 128;
      if (
        !family ||
        extra !== undefined ||
        (bits !== undefined && (!/^\d+$/.test(prefix as string) || bits > maxBits))
      ) {
        throw new Error(`"${entry}" is not an IP address or CIDR range`);
      }
      if (bits === undefined) this.list.addAddress(normalize(address), family);
      else this.list.addSubnet(normalize(address), bits, family);
    }
  }

  /** Reads `GROUNDWORK_TRUSTED_PROXIES`-style text: entries separated by commas or spaces. */
  static parse(text: string | undefined): string[] {
    return (text ?? '').split(/[\s,]+/).filter((entry) => entry !== '');
  }

  has(address: string): boolean {
    const normalized = normalize(address);
    const family = familyOf(normalized);
    return family !== undefined && this.list.check(normalized, family);
  }
}

/**
 * Who sent a request, as the gateway (the stack's edge, Kong's place) sees it: the socket's
 * peer, unless that peer is a trusted proxy, in which case X-Forwarded-For is read from the
 * right (the hop that proxy added) leftwards, past further trusted proxies, to the first
 * address no trusted proxy vouches for. Entries a client wrote itself sit to the left of
 * that and are never reached; with no trusted proxies the header is ignored entirely.
 */
export function clientAddress(
  socketAddress: string | undefined,
  forwardedFor: string | undefined,
  trusted: TrustedProxies,
): string {
  let client = socketAddress ? normalize(socketAddress) : 'unknown';
  if (!forwardedFor) return client;
  const hops = forwardedFor
    .split(',')
    .map(normalize)
    .filter((hop) => hop !== '');
  while (trusted.has(client) && hops.length > 0) {
    const next = hops.pop() as string;
    if (!familyOf(next)) break;
    client = next;
  }
  return client;
}
