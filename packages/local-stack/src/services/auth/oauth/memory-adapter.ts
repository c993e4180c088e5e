import type { Adapter, AdapterPayload } from 'oidc-provider';

/**
 * oidc-provider's storage for the local identity provider: sessions, interactions, codes and
 * grants live in memory and go with the stack, on purpose (a test provider keeps nothing).
 * Entries are dropped when they expire.
 */
export function memoryAdapterFactory(): new (name: string) => Adapter {
  const entries = new Map<string, { payload: AdapterPayload; expiresAt: number }>();
  const grants = new Map<string, Set<string>>();
  const live = (key: string) => {
    const entry = entries.get(key);
    if (entry && entry.expiresAt < Date.now()) {
      entries.delete(key);
      return undefined;
    }
    return entry?.payload;
  };
  return class MemoryAdapter implements Adapter {
    constructor(private readonly name: string) {}
    private key(id: string) {
      return `${this.name}:${id}`;
    }
    async upsert(id: string, payload: AdapterPayload, expiresIn: number) {
      const key = this.key(id);
      entries.set(key, { payload, expiresAt: Date.now() + expiresIn * 1000 });
      if (payload.grantId) {
        const keys = grants.get(payload.grantId) ?? new Set<string>();
        keys.add(key);
        grants.set(payload.grantId, keys);
      }
    }
    async find(id: string) {
      return live(this.key(id));
    }
    async findByUserCode(userCode: string) {
      for (const [key] of entries) {
        const payload = key.startsWith(`${this.name}:`) ? live(key) : undefined;
        if (payload?.userCode === userCode) return payload;
      }
      return undefined;
    }
    async findByUid(uid: string) {
      for (const [key] of entries) {
        const payload = key.startsWith(`${this.name}:`) ? live(key) : undefined;
        if (payload?.uid === uid) return payload;
      }
      return undefined;
    }
    async consume(id: string) {
      const payload = live(this.key(id));
      if (payload) payload.consumed = Math.floor(Date.now() / 1000);
    }
    async destroy(id: string) {
      entries.delete(this.key(id));
    }
    async revokeByGrantId(grantId: string) {
      for (const key of grants.get(grantId) ?? []) entries.delete(key);
      grants.delete(grantId);
    }
  };
}
