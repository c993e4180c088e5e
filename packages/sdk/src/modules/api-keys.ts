import * as z from 'zod/mini';
import type { SdkContext } from '../context.ts';
import { parseInput, rows } from '../query-result.ts';
import { id as idSchema } from '../schemas/fields.ts';

/** A workspace API key as listed: never the key itself, which only `create` returns. */
export interface ApiKey {
  id: string;
  workspace_id: string;
  name: string;
  /** `gw_` and 12 hex characters: the start of the key, to recognise it. */
  prefix: string;
  /** Sorted, with what they imply (tasks.update brings tasks.read). */
  permissions: string[];
  created_by: string | null;
  created_at: string;
  expires_at: string | null;
  revoked_at: string | null;
  /** The last request that wrote or called an RPC with POST (reads run read-only and are not recorded). */
  last_used_at: string | null;
  last_used_ip: string | null;
}

/** What `create` returns: the listed fields and the key, shown this once. */
export interface CreatedApiKey extends ApiKey {
  key: string;
}

const createApiKeyInput = z.object({
  workspace_id: idSchema,
  name: z.string().check(z.trim(), z.minLength(1), z.maxLength(100)),
  permissions: z.array(z.string()),
  expires_at: z.optional(z.string().check(z.iso.datetime({ offset: true }))),
});

export type ApiKeysApi = ReturnType<typeof createApiKeysApi>;

/**
 * Workspace API keys for machines (CI jobs, scripts, integrations): each holds some of its
 * creator's permissions in one workspace. Managing them needs `api_keys.manage` and a person
 * signed in; a machine uses a key through `createGroundworkClient({ url, key, apiKey })`.
 */
export function createApiKeysApi(ctx: SdkContext) {
  const { supabase } = ctx;
  return {
    /**
     * Creates a key holding `permissions` (at most your own; never owner-only ones or
     * api_keys.manage). The returned `key` is shown only this once: store it as a secret.
     *
     * @example
     * ```ts
     * const { key } = await gw.apiKeys.create({ workspace_id, name: 'CI', permissions: ['tasks.read'] });
     * ```
     */
    async create(input: {
      workspace_id: string;
      name: string;
      permissions: string[];
      expires_at?: string;
    }): Promise<CreatedApiKey> {
      const values = parseInput(createApiKeyInput, input);
      const created = await rows(supabase.rpc('create_api_key', values));
      return created as unknown as CreatedApiKey;
    },

    /**
     * The workspace's keys, newest first, revoked ones included: prefix, name, permissions,
     * creator, last use and expiry.
     *
     * @example
     * ```ts
     * const keys = await gw.apiKeys.list(workspace_id);
     * ```
     */
    async list(workspaceId: string): Promise<ApiKey[]> {
      const id = parseInput(idSchema, workspaceId);
      const listed = await rows(supabase.rpc('list_api_keys', { workspace_id: id }));
      return listed as unknown as ApiKey[];
    },

    /**
     * Revokes a key: its next request is refused with `api_key_revoked`.
     *
     * @example
     * ```ts
     * await gw.apiKeys.revoke(keyId);
     * ```
     */
    async revoke(keyId: string): Promise<ApiKey> {
      const id = parseInput(idSchema, keyId);
      const revoked = await rows(supabase.rpc('revoke_api_key', { key_id: id }));
      return revoked as unknown as ApiKey;
    },
  };
}
