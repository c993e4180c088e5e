/**
 * Reads the errors a set of migrations raise: every PL/pgSQL `raise` at level EXCEPTION, with
 * the code it raises (its MESSAGE, or its format string when no MESSAGE option is given), its
 * SQLSTATE, its DETAIL expression, and whether it runs in a trigger on a `storage` table
 * (where hosted Storage, not PostgREST, decides the HTTP status).
 *
 * A small scanner, not a SQL parser: it knows quotes, comments, dollar-quoted bodies and the
 * forms `raise [level] ['format' | condition | sqlstate '…'] [using option = expr, …];`.
 */

export interface MigrationRaise {
  file: string;
  line: number;
  /** The statement as written, for failure messages. */
  statement: string;
  /** The raised MESSAGE when it is a literal; undefined when it is computed. */
  code: string | undefined;
  /** The SQLSTATE (`errcode`, `sqlstate '…'`, or P0001 when neither is given). */
  sqlstate: string | undefined;
  /** The DETAIL option's expression as written, if any. */
  detail: string | undefined;
  /** The function the raise is in, if any (schema-qualified as written). */
  inFunction: string | undefined;
  /** Raised in a trigger function attached to a table in the `storage` schema. */
  underStorage: boolean;
}

const NON_ERROR_LEVELS = new Set(['debug', 'log', 'info', 'notice', 'warning']);

/** `sql` with comments blanked out (same length, so offsets and line numbers still hold). */
export function blankComments(sql: string): string {
  const out = sql.split('');
  let i = 0;
  while (i < sql.length) {
    const char = sql[i];
    if (char === "'" || char === '"') {
      i = endOfQuoted(sql, i, char) + 1;
    } else if (char === '-' && sql[i + 1] === '-') {
      while (i < sql.length && sql[i] !== '\n') out[i++] = ' ';
    } else if (char === '/' && sql[i + 1] === '*') {
      const end = sql.indexOf('*/', i + 2);
      const stop = end === -1 ? sql.length : end + 2;
      for (; i < stop; i++) if (out[i] !== '\n') out[i] = ' ';
    } else {
      i++;
    }
  }
  return out.join('');
}

/** `sql` with the contents of literals and quoted identifiers blanked, so keywords are found only in code. */
function blankStrings(sql: string): string {
  let out = '';
  let i = 0;
  while (i < sql.length) {
    const char = sql[i] as string;
    if (char === "'" || char === '"') {
      const end = endOfQuoted(sql, i, char);
      out += `${char}${sql.slice(i + 1, end).replace(/[^\n]/g, ' ')}${char}`;
      i = end + 1;
    } else {
      out += char;
      i++;
    }
  }
  return out;
}

/** Index of the quote closing the literal/identifier opened at `start` (doubled quotes escape). */
function endOfQuoted(sql: string, start: number, quote: string): number {
  let i = start + 1;
  while (i < sql.length) {
    if (sql[i] === quote) {
      if (sql[i + 1] === quote) i += 2;
      else return i;
    } else {
      i++;
    }
  }
  return sql.length;
}

/** The text from `start` to the first `;` outside quotes and parentheses (exclusive). */
function statementFrom(sql: string, start: number): string {
  let depth = 0;
  let i = start;
  while (i < sql.length) {
    const char = sql[i];
    if (char === "'" || char === '"') i = endOfQuoted(sql, i, char);
    else if (char === '(') depth++;
    else if (char === ')') depth--;
    else if (char === ';' && depth === 0) return sql.slice(start, i);
    i++;
  }
  return sql.slice(start);
}

/** Splits on top-level commas (outside quotes and parentheses). */
function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let from = 0;
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (char === "'" || char === '"') i = endOfQuoted(text, i, char);
    else if (char === '(') depth++;
    else if (char === ')') depth--;
    else if (char === ',' && depth === 0) {
      parts.push(text.slice(from, i));
      from = i + 1;
    }
  }
  parts.push(text.slice(from));
  return parts.map((part) => part.trim()).filter((part) => part !== '');
}

/** The value of a plain string literal (`'a''b'` → `a'b`), or undefined for any other expression. */
function stringLiteral(expression: string | undefined): string | undefined {
  const match = /^'((?:[^']|'')*)'$/.exec(expression?.trim() ?? '');
  return match ? (match[1] as string).replace(/''/g, "'") : undefined;
}

/** Index of the keyword `using` outside quotes, or -1. */
function indexOfUsing(statement: string): number {
  for (let i = 0; i < statement.length; i++) {
    const char = statement[i] as string;
    if (char === "'" || char === '"') i = endOfQuoted(statement, i, char);
    else if (!/\w/.test(statement[i - 1] ?? '') && /^using\b/i.test(statement.slice(i, i + 6))) return i;
  }
  return -1;
}

/** Reads one `raise …` statement (without its `;`). Undefined for notices and bare re-raises. */
export function readRaise(
  statement: string,
): Pick<MigrationRaise, 'code' | 'sqlstate' | 'detail'> | undefined {
  let rest = statement.replace(/^raise\b/i, '').trim();
  const level = /^(\w+)/.exec(rest)?.[1]?.toLowerCase();
  if (level && NON_ERROR_LEVELS.has(level)) return undefined;
  if (level === 'exception') rest = rest.slice('exception'.length).trim();
  if (rest === '') return undefined; // `raise;` re-raises the error being handled
  // `raise sqlstate 'PGRST'` hands PostgREST a whole response (body, status, headers) for an
  // error already raised, and read here, with its own code (the API key rate limit's Retry-After).
  if (/^sqlstate\s+'PGRST'/i.test(rest)) return undefined;

  const usingAt = indexOfUsing(rest);
  const head = (usingAt === -1 ? rest : rest.slice(0, usingAt)).trim();
  const options = new Map<string, string>();
  if (usingAt !== -1) {
    for (const option of splitTopLevel(rest.slice(usingAt + 'using'.length))) {
      const match = /^(\w+)\s*=\s*([\s\S]+)$/.exec(option);
      if (match) options.set((match[1] as string).toLowerCase(), (match[2] as string).trim());
    }
  }

  const formatString = head.startsWith("'") ? splitTopLevel(head)[0] : undefined;
  const message = options.get('message') ?? formatString;
  const errcode = options.get('errcode');
  const sqlstateHead = /^sqlstate\s+('(?:[^']|'')*')$/i.exec(head)?.[1];
  let sqlstate: string | undefined;
  if (errcode !== undefined) sqlstate = stringLiteral(errcode);
  else if (sqlstateHead !== undefined) sqlstate = stringLiteral(sqlstateHead);
  // A condition name (`raise unique_violation`) is kept as written: the check then fails
  // readably instead of this scanner guessing its code.
  else if (head !== '' && formatString === undefined) sqlstate = head;
  else sqlstate = 'P0001';
  return { code: stringLiteral(message), sqlstate, detail: options.get('detail') };
}

interface FunctionSpan {
  name: string;
  start: number;
  end: number;
}

/** `create function` bodies: name and the span of their dollar-quoted body. */
function functionSpans(sql: string): FunctionSpan[] {
  const spans: FunctionSpan[] = [];
  const header = /create\s+(?:or\s+replace\s+)?function\s+([\w."]+)\s*\(/gi;
  for (const match of sql.matchAll(header)) {
    const after = sql.slice(match.index);
    const open = /\bas\s+(\$\w*\$)/i.exec(after);
    if (!open) continue;
    const tag = open[1] as string;
    const bodyStart = match.index + open.index + open[0].length;
    const bodyEnd = sql.indexOf(tag, bodyStart);
    spans.push({ name: normalizeName(match[1] as string), start: bodyStart, end: bodyEnd });
  }
  return spans;
}

/** Trigger function name → the tables its triggers are on. */
function triggerTables(sql: string): Map<string, string[]> {
  const tables = new Map<string, string[]>();
  const trigger =
    /create\s+(?:or\s+replace\s+)?(?:constraint\s+)?trigger\s+[\w"]+\s+(?:before|after|instead\s+of)\s+[\s\S]*?\son\s+([\w."]+)[\s\S]*?\bexecute\s+(?:function|procedure)\s+([\w."]+)\s*\(/gi;
  for (const match of sql.matchAll(trigger)) {
    const fn = normalizeName(match[2] as string);
    tables.set(fn, [...(tables.get(fn) ?? []), normalizeName(match[1] as string)]);
  }
  return tables;
}

function normalizeName(name: string): string {
  const bare = name.replace(/"/g, '').toLowerCase();
  return bare.includes('.') ? bare : `public.${bare}`;
}

/** Every error-level raise in `files` (name → SQL), in file order. */
export function migrationRaises(files: readonly { file: string; sql: string }[]): MigrationRaise[] {
  const blanked = files.map(({ file, sql }) => ({ file, sql: blankComments(sql) }));
  // A trigger may be created in a later migration than its function.
  const tablesByFunction = new Map<string, string[]>();
  for (const { sql } of blanked) {
    for (const [fn, tables] of triggerTables(sql)) {
      tablesByFunction.set(fn, [...(tablesByFunction.get(fn) ?? []), ...tables]);
    }
  }

  const raises: MigrationRaise[] = [];
  for (const { file, sql } of blanked) {
    const spans = functionSpans(sql);
    for (const match of blankStrings(sql).matchAll(/\braise\b/gi)) {
      const statement = statementFrom(sql, match.index).replace(/\s+/g, ' ').trim();
      const read = readRaise(statement);
      if (!read) continue;
      // Functions are replaced by later migrations; the innermost (latest-starting) span wins.
      const inFunction = spans
        .filter((span) => span.start <= match.index && match.index < span.end)
        .at(-1)?.name;
      const tables = inFunction ? (tablesByFunction.get(inFunction) ?? []) : [];
      raises.push({
        file,
        line: sql.slice(0, match.index).split('\n').length,
        statement,
        ...read,
        inFunction,
        underStorage: tables.some((table) => table.startsWith('storage.')),
      });
    }
  }
  return raises;
}
