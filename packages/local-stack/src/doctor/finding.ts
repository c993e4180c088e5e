/**
 * What `groundwork doctor` reports: one thing that would break (error), probably break
 * (warning) or needs doing by hand (notice) when the project goes to hosted Supabase.
 */
export type Severity = 'error' | 'warning' | 'notice';

export const FINDING_KINDS = [
  'config-invalid',
  'import-outside-functions',
  'import-unfetchable',
  'import-unmapped',
  'env-undeclared',
  'migration-privilege',
  'extension-not-offered',
  'auth-url-local',
  'config-not-pushed',
  'buckets-not-pushed',
  'secrets-not-pushed',
  'function-unverified',
] as const;

export type FindingKind = (typeof FINDING_KINDS)[number];

export interface Finding {
  kind: FindingKind;
  severity: Severity;
  /** Relative to the project folder (the one holding supabase/). */
  file: string;
  line?: number;
  /** What is wrong, in one line. */
  message: string;
  /** What to do about it, in one line. */
  fix: string;
}

const SEVERITY_ORDER: Record<Severity, number> = { error: 0, warning: 1, notice: 2 };

export function byImportance(a: Finding, b: Finding): number {
  return (
    SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] ||
    a.file.localeCompare(b.file) ||
    (a.line ?? 0) - (b.line ?? 0)
  );
}

/** 1-based line of a character offset. */
export function lineAt(text: string, index: number): number {
  let line = 1;
  for (let i = 0; i < index && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}
