import type pg from 'pg';
import type { ChangeBinding } from './postgres-changes-router.ts';

/**
 * The checks hosted's `realtime.subscription_check_filters` trigger makes when a
 * postgres_changes subscription is created, so that what it refuses at join is refused
 * here at join too instead of silently never matching: every filter and `select` column
 * exists, values read in the column's type, `is true/false/unknown` only on booleans,
 * like/ilike/match/imatch only on types that have those operators. Returns the
 * exception text (hosted's wording), or undefined when the subscription is fine.
 */
export async function checkSubscription(
  db: pg.Pool,
  binding: Pick<ChangeBinding, 'schema' | 'table' | 'filters' | 'select'>,
): Promise<string | undefined> {
  if (!binding.table || binding.table === '*' || binding.schema === '*') return undefined;
  if (binding.filters.length === 0 && !binding.select) return undefined;
  const { rows } = await db.query<{ name: string; type: string; oid: number }>(
    `select a.attname::text as name, format_type(a.atttypid, null) as type, a.atttypid::int as oid
       from pg_catalog.pg_attribute a
      where a.attrelid = format('%I.%I', $1::text, $2::text)::regclass and a.attnum > 0 and not a.attisdropped`,
    [binding.schema, binding.table],
  );
  const columns = new Map(rows.map((row) => [row.name, row]));
  for (const filter of binding.filters) {
    const column = columns.get(filter.column);
    if (!column) return `invalid column for filter ${filter.column}`;
    switch (filter.operator) {
      case 'is':
        if (filter.values[0] !== 'null' && column.type !== 'boolean') {
          return `is ${filter.values[0]} filter requires a boolean column, got ${column.type}`;
        }
        break;
      case 'like':
      case 'ilike':
      case 'match':
      case 'imatch': {
        const operator = { like: '~~', ilike: '~~*', match: '~', imatch: '~*' }[filter.operator];
        const found = await db.query(
          'select 1 from pg_catalog.pg_operator where oprname = $1 and oprleft = $2::oid',
          [operator, column.oid],
        );
        if (!found.rowCount) {
          return `operator ${filter.operator} requires a text-compatible column type, got ${column.type}`;
        }
        break;
      }
      default: {
        // eq/neq/lt/lte/gt/gte/in/isdistinct: every value must read in the column's type.
        const values = filter.values.filter((value): value is string => value !== null);
        try {
          await db.query(`select v::${column.type} from unnest($1::text[]) as v`, [values]);
        } catch (error) {
          return (error as Error).message;
        }
      }
    }
  }
  for (const selected of binding.select ?? []) {
    if (!columns.has(selected)) return `invalid column for select ${selected}`;
  }
  return undefined;
}

/** How hosted names a subscription in its error messages. */
export function describeSubscription(
  binding: Pick<ChangeBinding, 'event' | 'schema' | 'table' | 'filters' | 'select'>,
): string {
  const filters = binding.filters
    .map(
      (f) =>
        `{${JSON.stringify(f.column)}, ${JSON.stringify(f.operator)}, ${JSON.stringify(f.operator === 'in' ? `{${f.values.join(',')}}` : (f.values[0] ?? ''))}, ${f.negate}}`,
    )
    .join(', ');
  const select = binding.select ? `[${binding.select.map((c) => JSON.stringify(c)).join(', ')}]` : 'nil';
  return `event: ${binding.event}, schema: ${binding.schema}, table: ${binding.table ?? '*'}, filters: [${filters}], select: ${select}`;
}
