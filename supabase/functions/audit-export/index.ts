/**
 * POST /functions/v1/audit-export {workspaceId, from?, to?, format?}
 *
 * A holder of `audit.read` — a person, or a workspace API key (a SIEM pulling the log) —
 * exports a time range of the workspace's audit log as CSV or JSON. Reads run as the caller
 * (their JWT or their key, through RLS): the rows are read as they may read them. The file is
 * written to the private `audit-exports` bucket under the workspace's folder and a signed URL
 * (valid an hour) is answered with 201. A person writes it with their own token; Storage does
 * not read API keys, so for a key the service role writes it, after the database has said the
 * key holds audit.read in that workspace. verify_jwt is off so machines can call it;
 * resolveCaller verifies either kind of caller first.
 */
import type { PostgrestError, SupabaseClient } from '@supabase/supabase-js';
import { serviceClient } from '../_shared/clients.ts';
import { corsHeaders } from '../_shared/cors.ts';
import { FunctionError, handleErrors, mfaRequiredError, parseJsonBody } from '../_shared/errors.ts';
import { resolveCaller } from '../_shared/function-caller.ts';
import {
  AUDIT_EXPORT_MAX_ROWS,
  type AuditExportResult,
  auditExportInput,
} from '../_shared/schemas/audit-export.ts';

const BUCKET = 'audit-exports';
const PAGE = 1000;
const URL_SECONDS = 3600;
const COLUMNS = [
  'id',
  'occurred_at',
  'actor_id',
  'actor_type',
  'action',
  'target_table',
  'target_id',
  'changes',
  'ip',
  'user_agent',
] as const;

type AuditRow = Record<(typeof COLUMNS)[number], unknown>;

Deno.serve(
  handleErrors(async (request) => {
    if (request.method !== 'POST') throw new FunctionError('method_not_allowed', 'Use POST');
    const caller = await resolveCaller(request); // before reading the body or any query
    const input = await parseJsonBody(request, auditExportInput);
    const db = caller.db;

    await requireAuditReader(db, input.workspaceId);
    const rows = await readRange(db, input.workspaceId, input.from, input.to ?? new Date().toISOString());
    const body = input.format === 'csv' ? toCsv(rows) : `${JSON.stringify(rows)}\n`;
    const path = `${input.workspaceId}/audit-${new Date().toISOString().replace(/[:.]/g, '-')}-${crypto.randomUUID().slice(0, 8)}.${input.format}`;
    const files = (caller.kind === 'api_key' ? serviceClient() : db).storage.from(BUCKET);
    const contentType = input.format === 'csv' ? 'text/csv' : 'application/json';
    const uploaded = await files.upload(path, new Blob([body], { type: contentType }), { contentType });
    if (uploaded.error) throw new Error(`audit export upload failed: ${uploaded.error.message}`);
    const signed = await files.createSignedUrl(path, URL_SECONDS);
    if (signed.error) throw new Error(`audit export signing failed: ${signed.error.message}`);
    const result: AuditExportResult = {
      path,
      url: signed.data.signedUrl,
      expiresIn: URL_SECONDS,
      rows: rows.length,
      format: input.format,
    };
    return Response.json(result, { status: 201, headers: corsHeaders });
  }),
);

/** workspace_not_found for a workspace the caller is not in (or none), forbidden without audit.read. */
async function requireAuditReader(db: SupabaseClient, workspaceId: string): Promise<void> {
  const { data, error } = await db.from('workspaces').select('id').eq('id', workspaceId).maybeSingle();
  if (error) throw databaseError(error);
  if (!data) throw new FunctionError('workspace_not_found', 'No such workspace');
  const allowed = await db.rpc('has_permission', { workspace_id: workspaceId, permission: 'audit.read' });
  if (allowed.error) throw databaseError(allowed.error);
  if (allowed.data !== true) throw new FunctionError('forbidden', 'Exporting the audit log needs audit.read');
}

/** The range in id order, a page at a time (keyset: each page starts after the last id). */
async function readRange(
  db: SupabaseClient,
  workspaceId: string,
  from: string | undefined,
  to: string,
): Promise<AuditRow[]> {
  const rows: AuditRow[] = [];
  let after = 0;
  for (;;) {
    let query = db
      .from('audit_log')
      .select(COLUMNS.join(','))
      .eq('workspace_id', workspaceId)
      .lt('occurred_at', to)
      .gt('id', after)
      .order('id')
      .limit(PAGE);
    if (from) query = query.gte('occurred_at', from);
    const { data, error } = await query.returns<AuditRow[]>();
    if (error) throw databaseError(error);
    rows.push(...data);
    if (rows.length > AUDIT_EXPORT_MAX_ROWS) {
      throw new FunctionError(
        'export_too_large',
        `The range holds more than ${AUDIT_EXPORT_MAX_ROWS} entries; export a shorter one`,
      );
    }
    if (data.length < PAGE) return rows;
    after = Number(data[data.length - 1]?.id);
  }
}

/** RFC 4180: every field quoted, quotes doubled; changes as their JSON text. */
function toCsv(rows: AuditRow[]): string {
  const field = (value: unknown) => {
    const text =
      value === null || value === undefined
        ? ''
        : typeof value === 'object'
          ? JSON.stringify(value)
          : String(value);
    return `"${text.replace(/"/g, '""')}"`;
  };
  return [COLUMNS.join(','), ...rows.map((row) => COLUMNS.map((column) => field(row[column])).join(','))]
    .map((line) => `${line}\r\n`)
    .join('');
}

function databaseError(error: PostgrestError): Error {
  const mfaRequired = mfaRequiredError(error);
  if (mfaRequired) return mfaRequired;
  if (error.code === '42501')
    return new FunctionError('forbidden', 'Exporting the audit log needs audit.read');
  return new Error(`database error ${error.code}: ${error.message}`);
}
