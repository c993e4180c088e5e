/**
 * Input and output of the `audit-export` edge function, defined once: the function validates
 * requests with these schemas and the SDK imports the same file (`zod/mini`, as everything the
 * SDK ships).
 */
import * as z from 'zod/mini';

const instant = z.iso.datetime({ offset: true, error: 'must be an ISO 8601 time with a zone' });

export const auditExportInput = z
  .strictObject({
    workspaceId: z.guid({ error: 'must be a UUID' }),
    /** Inclusive start of the range; default: the beginning of the log. */
    from: z.optional(instant),
    /** Exclusive end of the range; default: now. */
    to: z.optional(instant),
    format: z._default(z.enum(['csv', 'json'], { error: 'must be csv or json' }), 'csv'),
  })
  .check(
    z.refine((input) => !input.from || !input.to || Date.parse(input.from) < Date.parse(input.to), {
      error: 'must be before to',
      path: ['from'],
    }),
  );
/** What callers send (format defaults to csv). */
export type AuditExportInput = z.input<typeof auditExportInput>;

/** `201 Created` body: where the file is and a signed URL to fetch it. */
export const auditExportResult = z.object({
  /** Object path in the private `audit-exports` bucket. */
  path: z.string(),
  /** Signed download URL, valid for `expiresIn` seconds. */
  url: z.string(),
  expiresIn: z.number(),
  rows: z.number(),
  format: z.enum(['csv', 'json']),
});
export type AuditExportResult = z.infer<typeof auditExportResult>;

/** The most rows one export holds; ask for a shorter range beyond it. */
export const AUDIT_EXPORT_MAX_ROWS = 100_000;
