/**
 * Parses a `.env` file the way the Supabase CLI reads `supabase/functions/.env`:
 * `NAME=value` lines, `#` comments, optional `export `, single quotes literal,
 * double quotes with `\n` escapes, inline comments after unquoted values.
 */
export function parseDotenv(text: string): Record<string, string> {
  const values: Record<string, string> = {};
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  for (let index = 0; index < lines.length; index += 1) {
    const line = (lines[index] ?? '').trim();
    if (line === '' || line.startsWith('#')) continue;
    const match = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\s*=\s*(.*)$/.exec(line);
    if (!match) continue;
    const name = match[1] as string;
    let raw = match[2] as string;
    const quote = raw[0];
    if (quote === '"' || quote === "'" || quote === '`') {
      // A quoted value may span lines until its closing quote.
      while (!hasClosingQuote(raw, quote) && index + 1 < lines.length) {
        index += 1;
        raw += `\n${lines[index]}`;
      }
      const end = raw.lastIndexOf(quote);
      const inner = end > 0 ? raw.slice(1, end) : raw.slice(1);
      values[name] = quote === '"' ? inner.replace(/\\n/g, '\n').replace(/\\"/g, '"') : inner;
    } else {
      values[name] = raw.replace(/\s+#.*$/, '').trim();
    }
  }
  return values;
}

function hasClosingQuote(raw: string, quote: string): boolean {
  return raw.length > 1 && raw.trimEnd().endsWith(quote) && raw.trimEnd().length > 1;
}
