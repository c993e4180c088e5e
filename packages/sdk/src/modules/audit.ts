import * as z from 'zod/mini';
import {
  type AuditExportResult,
  auditExportInput,
} from '../../../../supabase/functions/_shared/schemas/audit-export.ts';
import type { SdkContext } from '../context.ts';
import { functionData, parseInput, rows } from '../query-result.ts';
import { id as idSchema, integer } from '../schemas/fields.ts';
import type { AuditEntry } from '../types.ts';

const instant = z.optional(z.iso.datetime({ offset: true }));
const auditFilter = z.strictObject({
  workspace_id: idSchema,
  actor_id: z.optional(idSchema),
  action: z.optional(z.string()),
  target_table: z.optional(z.string()),
  target_id: z.optional(z.string()),
  since: instant,
  until: instant,
  limit: z.optional(integer(1, 1000)),
});

export type AuditApi = ReturnType<typeof createAuditApi>;

/** The append-only audit log (`audit.read`). */
export function createAuditApi(ctx: SdkContext) {
  const { supabase } = ctx;
  return {
    /**
     * Entries newest first, filtered by actor, action, target and time (`since` inclusive,
     * `until` exclusive); `limit` 1–1000, default 50.
     *
     * @example
     * ```ts
     * const changes = await gw.audit.list({ workspace_id, target_table: 'tasks', since: '2025-01-01T00:00:00Z' });
     * ```
     */
    async list(filter: z.input<typeof auditFilter>): Promise<AuditEntry[]> {
      const f = parseInput(auditFilter, filter);
      let query = supabase.from('audit_log').select('*').eq('workspace_id', f.workspace_id);
      for (const column of ['actor_id', 'action', 'target_table', 'target_id'] as const) {
        const value = f[column];
        if (value) query = query.eq(column, value);
      }
      if (f.since) query = query.gte('occurred_at', f.since);
      if (f.until) query = query.lt('occurred_at', f.until);
      return rows(
        query
          .order('occurred_at', { ascending: false })
          .order('id', { ascending: false })
          .limit(f.limit ?? 50),
      );
    },

    /**
     * Exports a time range as CSV or JSON through `audit-export`; answers a signed URL.
     *
     * @example
     * ```ts
     * const { url } = await gw.audit.export({ workspace_id, from: '2025-01-01T00:00:00Z', format: 'json' });
     * ```
     */
    async export(input: {
      workspace_id: string;
      from?: string;
      to?: string;
      format?: 'csv' | 'json';
    }): Promise<AuditExportResult> {
      const body = parseInput(
        auditExportInput,
        { workspaceId: input?.workspace_id, from: input?.from, to: input?.to, format: input?.format },
        { workspaceId: 'workspace_id' },
      );
      return functionData<AuditExportResult>(supabase.functions.invoke('audit-export', { body }));
    },
  };
}
