import { describe, expect, it } from 'vitest';
import { clientAddress, TrustedProxies } from './client-address.ts';

describe('client address behind trusted proxies', () => {
  const none = new TrustedProxies([]);
  const local = new TrustedProxies(['127.0.0.1', '::1', '10.0.0.0/8']);

  it('ignores X-Forwarded-For when no proxy is trusted', () => {
    expect(clientAddress('127.0.0.1', '203.0.113.9', none)).toBe('127.0.0.1');
    expect(clientAddress('::ffff:127.0.0.1', undefined, none)).toBe('127.0.0.1');
  });

  it('takes the hop a trusted proxy added, not what the client wrote before it', () => {
    expect(clientAddress('127.0.0.1', '203.0.113.9', local)).toBe('203.0.113.9');
    // The client claimed 198.51.100.1; the proxy appended the address it saw.
    expect(clientAddress('127.0.0.1', '198.51.100.1, 203.0.113.9', local)).toBe('203.0.113.9');
    // Two trusted proxies in a row: the first untrusted hop is the client.
    expect(clientAddress('127.0.0.1', '203.0.113.9, 10.1.2.3', local)).toBe('203.0.113.9');
  });

  it('does not believe the header from an untrusted peer, nor a hop that is not an address', () => {
    expect(clientAddress('192.0.2.7', '203.0.113.9', local)).toBe('192.0.2.7');
    expect(clientAddress('127.0.0.1', 'not-an-ip', local)).toBe('127.0.0.1');
  });

  it('refuses an entry that is not an address or CIDR range', () => {
    for (const bad of ['localhost', '10.0.0.0/33', '10.0.0.0/8/1', '1.2.3']) {
      expect(() => new TrustedProxies([bad])).toThrow(/is not an IP address or CIDR range/);
    }
    expect(TrustedProxies.parse(' 127.0.0.1, ::1  10.0.0.0/8 ,')).toEqual(['127.0.0.1', '::1', '10.0.0.0/8']);
  });
});
