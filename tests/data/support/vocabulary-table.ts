/**
 * The error vocabulary as docs/data-model.md shows it, one row per code. The docs hold a copy
 * between the markers; tests/data/error-vocabulary.test.ts checks it is this table.
 * Print it with `npx tsx tests/data/support/vocabulary-table.ts`.
 */
import {
  type ErrorCode,
  errorCodes,
  errorVocabulary,
  isDatabaseErrorCode,
  isFunctionErrorCode,
} from '../../../supabase/functions/_shared/error-vocabulary.ts';

export const DOCS_START = '<!-- error-vocabulary:start -->';
export const DOCS_END = '<!-- error-vocabulary:end -->';

const BESIDE: Record<(typeof errorVocabulary)[ErrorCode]['detail'], string> = {
  sentence: 'a sentence',
  plan_limit: '`{limit, max, current}`',
  fields: '`fields`',
  retry_after: '`{retry_after_seconds}`',
};

/** The docs' rendering of the vocabulary: one row per code. */
export function vocabularyTable(): string {
  const rows = errorCodes.map((code) => {
    const entry: (typeof errorVocabulary)[ErrorCode] = errorVocabulary[code];
    const sqlstate = 'sqlstate' in entry ? entry.sqlstate : '—';
    const storage =
      'underStorage' in entry
        ? ` (${entry.underStorage.sqlstate} → ${entry.underStorage.status} under Storage)`
        : '';
    const by = [isDatabaseErrorCode(code) && 'database', isFunctionErrorCode(code) && 'functions']
      .filter(Boolean)
      .join(', ');
    return `| \`${code}\` | ${entry.status} | ${sqlstate}${storage} | ${by} | ${BESIDE[entry.detail]} | \`${entry.sdkCode}\` | ${entry.when} |`;
  });
  return [
    '| code | HTTP | SQLSTATE | raised by | beside it | SDK `code` | when |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...rows,
  ].join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) process.stdout.write(`${vocabularyTable()}\n`);
