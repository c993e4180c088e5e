import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createGroundworkClient } from '../src/index.ts';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

/** The reference's section of one module: from its heading to the next. */
function sectionOf(module: string): string {
  const start = readme.indexOf(`## \`gw.${module}\``);
  if (start < 0) return '';
  const next = readme.indexOf('\n## ', start + 1);
  return readme.slice(start, next < 0 ? undefined : next);
}

describe('README.md', () => {
  // Building the client makes no request; it only lists what the API offers.
  const gw = createGroundworkClient({ url: 'http://127.0.0.1:1', key: 'publishable' });
  const modules = Object.entries(gw).filter(([name]) => name !== 'supabase');

  it.each(modules.map(([name, api]) => [name, Object.keys(api as object)] as const))(
    'documents every method of gw.%s with an example',
    (name, methods) => {
      const section = sectionOf(name);
      expect(section, `README has no "## \`gw.${name}\`" section`).not.toBe('');
      const [table, ...examples] = section.split('```ts');
      for (const method of methods) {
        expect(table, `gw.${name}.${method} missing from the table`).toContain(`${method}(`);
        expect(examples.join(''), `gw.${name}.${method} has no example`).toMatch(
          new RegExp(`\\.${method}\\(`),
        );
      }
    },
  );
});
