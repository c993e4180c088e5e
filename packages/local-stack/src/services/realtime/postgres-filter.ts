/**
 * The `filter` of a postgres_changes subscription as current Realtime reads it:
 * `column=op.value` conditions joined by commas (AND), each operator optionally negated
 * with a `not.` prefix (`id=not.in.(1,2)`). Operators: eq neq lt lte gt gte in like ilike
 * is match imatch isdistinct. Anything else is refused at join, never guessed at.
 *
 * Values are compared in the column's type the way Postgres would: numbers as numbers,
 * booleans as booleans, timestamps as instants, uuids case-insensitively, the rest as
 * text. A NULL column fails every condition except `is` and `isdistinct` (SQL's three-valued
 * logic: `NULL = 1` is not true, and neither is `NOT (NULL = 1)`).
 */

export const FILTER_OPERATORS = [
  'eq',
  'neq',
  'lt',
  'lte',
  'gt',
  'gte',
  'in',
  'like',
  'ilike',
  'is',
  'match',
  'imatch',
  'isdistinct',
] as const;

export type FilterOperator = (typeof FILTER_OPERATORS)[number];

/** Right-hand side of `is`: a keyword, not a typed literal. */
export type IsKeyword = 'null' | 'true' | 'false' | 'unknown';
const IS_KEYWORDS: readonly IsKeyword[] = ['null', 'true', 'false', 'unknown'];

/** Hosted caps `in` lists at this many values. */
export const MAX_IN_VALUES = 100;

export interface ChangeFilter {
  column: string;
  operator: FilterOperator;
  /** `not.` prefix. */
  negate: boolean;
  /** The value as written (unquoted); for `in`, the list's elements. */
  values: (string | null)[];
  /** like/ilike/match/imatch, compiled once at join. */
  pattern?: RegExp;
}

export class FilterSyntaxError extends Error {
  override readonly name = 'FilterSyntaxError';
}

/** Elixir's `inspect` of a list of strings, which hosted puts in its error messages. */
function inspectParts(parts: string[]): string {
  return `[${parts.map((part) => JSON.stringify(part)).join(', ')}]`;
}

/**
 * Splits on commas outside parentheses and outside double quotes; a quote opens only
 * after `.`, `(` or `,` (so `a"b` is a literal quote), and `\` escapes inside quotes.
 */
function splitTopLevel(text: string): string[] {
  const segments: string[] = [];
  let current = '';
  let depth = 0;
  let quoted = false;
  let previous = '';
  for (let index = 0; index < text.length; index++) {
    const char = text[index] as string;
    if (quoted) {
      if (char === '\\' && index + 1 < text.length) {
        current += char + text[index + 1];
        index += 1;
        previous = text[index] as string;
        continue;
      }
      if (char === '"') quoted = false;
      current += char;
    } else if (char === '"' && (previous === '.' || previous === '(' || previous === ',')) {
      quoted = true;
      current += char;
    } else if (char === '(') {
      depth += 1;
      current += char;
    } else if (char === ')') {
      depth = Math.max(0, depth - 1);
      current += char;
    } else if (char === ',' && depth === 0) {
      segments.push(current);
      current = '';
      previous = '';
      continue;
    } else {
      current += char;
    }
    previous = char;
  }
  segments.push(current);
  return segments;
}

/** `"a \"b\""` → `a "b"`; anything not a whole quoted string stays as written. */
function unquote(value: string): string {
  if (!value.startsWith('"')) return value;
  let out = '';
  for (let index = 1; index < value.length; index++) {
    const char = value[index];
    if (char === '\\' && index + 1 < value.length) {
      index += 1;
      out += value[index];
    } else if (char === '"') {
      return index === value.length - 1 ? out : value;
    } else {
      out += char;
    }
  }
  return value;
}

/** The elements of `(a, "b,c", NULL)` as a Postgres array literal reads them. */
function inListValues(list: string): (string | null)[] {
  const body = list.slice(1, -1);
  if (body.trim() === '') return [];
  const values: (string | null)[] = [];
  let current = '';
  let quoted = false;
  let wasQuoted = false;
  const finish = () => {
    const text = wasQuoted ? current : current.trim();
    values.push(!wasQuoted && text.toUpperCase() === 'NULL' ? null : text);
    current = '';
    wasQuoted = false;
  };
  for (let index = 0; index < body.length; index++) {
    const char = body[index];
    if (char === '"') {
      // Blanks before an opening quote are not part of the element.
      if (!quoted && !wasQuoted) current = '';
      quoted = !quoted;
      wasQuoted = true;
    } else if (char === '\\' && index + 1 < body.length) {
      index += 1;
      current += body[index];
    } else if (char === ',' && !quoted) {
      finish();
    } else if (quoted || wasQuoted === false) {
      current += char;
    }
  }
  finish();
  return values;
}

/** A LIKE pattern (`%`, `_`, `\` escapes) as an anchored regular expression. */
function likePattern(pattern: string, caseInsensitive: boolean): RegExp {
  let source = '';
  for (let index = 0; index < pattern.length; index++) {
    const char = pattern[index] as string;
    if (char === '\\' && index + 1 < pattern.length) {
      index += 1;
      source += (pattern[index] as string).replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
    } else if (char === '%') source += '[\\s\\S]*';
    else if (char === '_') source += '[\\s\\S]';
    else source += char.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }
  return new RegExp(`^${source}$`, caseInsensitive ? 'iu' : 'u');
}

function compilePattern(operator: FilterOperator, value: string): RegExp | undefined {
  switch (operator) {
    case 'like':
      return likePattern(value, false);
    case 'ilike':
      return likePattern(value, true);
    case 'match':
    case 'imatch':
      try {
        // POSIX regular expressions, unanchored like Postgres' `~`; JavaScript's dialect
        // agrees on everything but POSIX classes and a few escapes.
        return new RegExp(value, operator === 'imatch' ? 'iu' : 'u');
      } catch (error) {
        throw new FilterSyntaxError(
          `invalid regular expression for ${operator} filter: ${(error as Error).message}`,
        );
      }
    default:
      return undefined;
  }
}

function parseSegment(segment: string): ChangeFilter {
  const trimmed = segment.trim();
  if (trimmed === '')
    throw new FilterSyntaxError('filter must not contain empty segments (check for extra commas)');
  const equals = trimmed.indexOf('=');
  if (equals < 0) throw new FilterSyntaxError(inspectParts([trimmed]));
  const column = trimmed.slice(0, equals);
  let rest = trimmed.slice(equals + 1);
  const negate = rest.startsWith('not.');
  if (negate) rest = rest.slice('not.'.length);
  const dot = rest.indexOf('.');
  if (dot < 0) throw new FilterSyntaxError(inspectParts([rest]));
  const operator = rest.slice(0, dot);
  const value = rest.slice(dot + 1);
  if (!(FILTER_OPERATORS as readonly string[]).includes(operator)) {
    throw new FilterSyntaxError(inspectParts([operator, value]));
  }
  if (column.trim() === '') throw new FilterSyntaxError(`missing column name in ${JSON.stringify(trimmed)}`);
  const op = operator as FilterOperator;
  if (op === 'in') {
    if (value.length < 2 || !value.startsWith('(') || !value.endsWith(')')) {
      throw new FilterSyntaxError('`in` filter value must be wrapped by parentheses');
    }
    const values = inListValues(value);
    if (values.length > MAX_IN_VALUES) {
      throw new FilterSyntaxError(`too many values for \`in\` filter. Maximum ${MAX_IN_VALUES}`);
    }
    return { column, operator: op, negate, values };
  }
  const text = unquote(value);
  if (op === 'is' && !(IS_KEYWORDS as readonly string[]).includes(text)) {
    throw new FilterSyntaxError('invalid value for is filter: must be null, true, false, or unknown');
  }
  const pattern = compilePattern(op, text);
  return { column, operator: op, negate, values: [text], ...(pattern ? { pattern } : {}) };
}

/**
 * Parses a whole filter (`a=eq.1,b=not.gt.5`) into its AND-ed conditions; an empty or
 * blank filter is no condition. Throws FilterSyntaxError with hosted's reason, which the
 * caller prefixes with "Error parsing `filter` params: ".
 *
 * @example
 * parseChangeFilters('score=gte.1,score=lte.5').map((f) => f.operator); // ['gte', 'lte']
 */
export function parseChangeFilters(filter: string): ChangeFilter[] {
  if (filter.trim() === '') return [];
  return splitTopLevel(filter.trim()).map(parseSegment);
}

const NUMERIC_TYPES = new Set(['int2', 'int4', 'int8', 'float4', 'float8', 'numeric', 'oid', 'money']);
const INSTANT_TYPES = new Set(['timestamptz', 'timestamp', 'date']);
const TRUTHY = new Set(['t', 'true', 'y', 'yes', 'on', '1']);

/** Sign of left − right in the column's type; NaN when a side can't be read in that type. */
function compare(left: string, right: string, type: string): number {
  if (NUMERIC_TYPES.has(type)) return Math.sign(Number(left) - Number(right));
  if (type === 'bool')
    return Number(TRUTHY.has(left.toLowerCase())) - Number(TRUTHY.has(right.toLowerCase()));
  if (type === 'uuid') {
    const [a, b] = [left.toLowerCase(), right.toLowerCase()];
    return a < b ? -1 : a > b ? 1 : 0;
  }
  if (INSTANT_TYPES.has(type)) {
    // Postgres' text form ("2024-01-02 03:04:05+00") and ISO input alike.
    const instant = (text: string) =>
      Date.parse(
        text.replace(' ', 'T').replace(/([+-]\d\d)$/, '$1:00') + (type === 'timestamptz' ? '' : 'Z'),
      );
    const a = instant(left);
    const b = instant(right);
    if (Number.isFinite(a) && Number.isFinite(b)) return Math.sign(a - b);
  }
  return left < right ? -1 : left > right ? 1 : 0;
}

/** One condition, in SQL's three-valued logic: undefined stands for NULL (not true). */
function evaluate(filter: ChangeFilter, value: string | null, type: string): boolean | undefined {
  const first = filter.values[0] ?? '';
  switch (filter.operator) {
    case 'is': {
      // IS [NOT] NULL/TRUE/FALSE/UNKNOWN is never NULL itself: it is not negated as NULL.
      const truth = value === null ? undefined : TRUTHY.has(value.toLowerCase());
      const holds =
        first === 'null' || first === 'unknown'
          ? value === null
          : first === 'true'
            ? truth === true
            : truth === false;
      return filter.negate ? !holds : holds;
    }
    case 'isdistinct': {
      const distinct = value === null ? true : compare(value, first, type) !== 0;
      return filter.negate ? !distinct : distinct;
    }
    default:
      break;
  }
  if (value === null) return undefined;
  let holds: boolean | undefined;
  switch (filter.operator) {
    case 'eq':
      holds = compare(value, first, type) === 0;
      break;
    case 'neq':
      holds = compare(value, first, type) !== 0;
      break;
    case 'lt':
      holds = compare(value, first, type) < 0;
      break;
    case 'lte':
      holds = compare(value, first, type) <= 0;
      break;
    case 'gt':
      holds = compare(value, first, type) > 0;
      break;
    case 'gte':
      holds = compare(value, first, type) >= 0;
      break;
    case 'in':
      // `x = any('{1,NULL}')` is true on a match, else NULL if the list holds a NULL.
      holds = filter.values.some((candidate) => candidate !== null && compare(value, candidate, type) === 0)
        ? true
        : filter.values.includes(null)
          ? undefined
          : false;
      break;
    default:
      holds = filter.pattern?.test(value) ?? false;
  }
  if (holds === undefined) return undefined;
  return filter.negate ? !holds : holds;
}

/**
 * Whether a row passes every condition. `row` holds Postgres' text form of each column
 * (null for SQL NULL); a condition on a column the row does not carry fails, as hosted.
 */
export function rowMatchesFilters(
  filters: readonly ChangeFilter[],
  row: Record<string, string | null>,
  columnTypes: Record<string, string>,
): boolean {
  for (const filter of filters) {
    const value = row[filter.column];
    if (value === undefined) return false;
    if (evaluate(filter, value, columnTypes[filter.column] ?? 'text') !== true) return false;
  }
  return true;
}
