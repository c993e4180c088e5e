/**
 * The `filter` of a postgres_changes subscription, `column=op.value`, with the
 * operators hosted Realtime supports. Values are compared in the column's type the
 * way Postgres would: numbers as numbers, booleans as booleans, the rest as text.
 */

export type FilterOperator = 'eq' | 'neq' | 'lt' | 'lte' | 'gt' | 'gte' | 'in';

export interface ChangeFilter {
  column: string;
  operator: FilterOperator;
  /** One value, or several for `in`. */
  values: string[];
}

const OPERATORS: readonly FilterOperator[] = ['eq', 'neq', 'lt', 'lte', 'gt', 'gte', 'in'];

export class FilterSyntaxError extends Error {
  override readonly name = 'FilterSyntaxError';
}

function splitInList(list: string): string[] {
  if (!list.startsWith('(') || !list.endsWith(')')) {
    throw new FilterSyntaxError('`in` expects a list in parentheses, e.g. in.(1,2,3)');
  }
  const values: string[] = [];
  let current = '';
  let quoted = false;
  const body = list.slice(1, -1);
  for (let index = 0; index < body.length; index++) {
    const char = body[index];
    if (char === '"') {
      quoted = !quoted;
    } else if (char === '\\' && quoted && index + 1 < body.length) {
      index += 1;
      current += body[index];
    } else if (char === ',' && !quoted) {
      values.push(current.trim());
      current = '';
    } else {
      current += char;
    }
  }
  values.push(current.trim());
  return values;
}

/** Parses `column=op.value`; throws FilterSyntaxError with a message for the client. */
export function parseChangeFilter(filter: string): ChangeFilter {
  const equals = filter.indexOf('=');
  const column = filter.slice(0, equals).trim();
  const rest = filter.slice(equals + 1);
  const dot = rest.indexOf('.');
  const operator = rest.slice(0, dot) as FilterOperator;
  if (equals <= 0 || dot <= 0 || !column) {
    throw new FilterSyntaxError(`filter must look like column=operator.value, got ${JSON.stringify(filter)}`);
  }
  if (!OPERATORS.includes(operator)) {
    throw new FilterSyntaxError(`unsupported filter operator ${JSON.stringify(operator)}`);
  }
  const value = rest.slice(dot + 1);
  return { column, operator, values: operator === 'in' ? splitInList(value) : [value] };
}

const NUMERIC_TYPES = new Set(['int2', 'int4', 'int8', 'float4', 'float8', 'numeric', 'oid']);

function compare(left: string, right: string, type: string): number {
  if (NUMERIC_TYPES.has(type)) return Math.sign(Number(left) - Number(right));
  if (type === 'bool') {
    const truthy = (value: string) => ['t', 'true', 'y', 'yes', 'on', '1'].includes(value.toLowerCase());
    return Number(truthy(left)) - Number(truthy(right));
  }
  if (type === 'uuid') return left.toLowerCase().localeCompare(right.toLowerCase());
  return left < right ? -1 : left > right ? 1 : 0;
}

/**
 * Whether a row passes the filter. `row` holds Postgres' text form of each column
 * (null for SQL NULL); a column missing from the row fails the filter, as hosted.
 */
export function rowMatchesFilter(
  filter: ChangeFilter,
  row: Record<string, string | null>,
  columnTypes: Record<string, string>,
): boolean {
  const value = row[filter.column];
  if (value === undefined || value === null) return false;
  const type = columnTypes[filter.column] ?? 'text';
  const [first = ''] = filter.values;
  switch (filter.operator) {
    case 'eq':
      return compare(value, first, type) === 0;
    case 'neq':
      return compare(value, first, type) !== 0;
    case 'lt':
      return compare(value, first, type) < 0;
    case 'lte':
      return compare(value, first, type) <= 0;
    case 'gt':
      return compare(value, first, type) > 0;
    case 'gte':
      return compare(value, first, type) >= 0;
    case 'in':
      return filter.values.some((candidate) => compare(value, candidate, type) === 0);
  }
}
