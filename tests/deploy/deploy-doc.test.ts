import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { type CompletionCommandTree, parseBashCompletion } from './bash-completion.ts';

// Every Supabase CLI command docs/deploy.md and the deploy workflow tell users to run is looked up
// in the real CLI's own command tree: a command or flag the CLI doesn't know fails the build.

const run = promisify(execFile);
const root = new URL('../../', import.meta.url).pathname;
// The CLI as `npx supabase` runs it: the supabase npm package's bin.
const supabaseBin = `${root}node_modules/.bin/supabase`;

function shellBlocks(markdown: string): string[] {
  return [...markdown.matchAll(/```sh\n([\s\S]*?)```/g)].map((match) => match[1] as string);
}

/** `npx supabase a b --flag x <placeholder> "sql"` → the subcommand words and the flags used. */
function parseCommand(line: string): { words: string[]; flags: string[] } {
  const tokens = line
    .replace(/^npx\s+/, '')
    .split(/\s+/)
    .slice(1);
  const words: string[] = [];
  for (const token of tokens) {
    if (!/^[a-z][a-z-]*$/.test(token)) break;
    words.push(token);
  }
  const flags = [...line.matchAll(/(?:^|\s)(--[a-z][a-z-]*)/g)].map((match) => match[1] as string);
  return { words, flags };
}

const docCommands = shellBlocks(readFileSync(`${root}docs/deploy.md`, 'utf8'))
  .flatMap((block) => block.split('\n'))
  .map((line) => line.trim())
  .filter((line) => /^(npx )?supabase /.test(line));
const workflowCommands = [
  ...readFileSync(`${root}.github/workflows/deploy.yml`, 'utf8').matchAll(/npx supabase [^\n;]+/g),
].map((match) => match[0]);

describe('the deploy commands against the real Supabase CLI', () => {
  it('docs/deploy.md names the whole path', () => {
    const named = docCommands.map((line) => parseCommand(line).words.join(' '));
    expect(named).toEqual(
      expect.arrayContaining([
        'link',
        'db push',
        'secrets set',
        'functions deploy',
        'db query',
        'config push',
        'seed buckets',
      ]),
    );
  });

  // One --help per subcommand took a second of CPU each (the CLI is a Bun-compiled binary that loads
  // its whole command tree to start). Its static bash completion script is the same command tree with
  // the commands' own flags, printed by one run of the same binary. Flags a command shares with others
  // (`seed buckets --remote`) are left out of the script; only for those the command's --help is read.
  const bySubcommand = new Map<string, { lines: string[]; flags: Set<string> }>();
  for (const line of new Set([...docCommands, ...workflowCommands])) {
    const { words, flags } = parseCommand(line);
    const entry = bySubcommand.get(words.join(' ')) ?? { lines: [], flags: new Set<string>() };
    entry.lines.push(line);
    for (const flag of flags) entry.flags.add(flag);
    bySubcommand.set(words.join(' '), entry);
  }

  let commandTree: CompletionCommandTree;
  beforeAll(async () => {
    const { stdout } = await run(supabaseBin, ['--completions', 'bash'], { maxBuffer: 16 * 1024 * 1024 });
    commandTree = parseBashCompletion(stdout);
  });

  it('the completion script is the CLI command tree (it dispatches `db push` and knows its --dry-run)', () => {
    expect(commandTree.resolve(['db', 'push'])?.flags).toContain('--dry-run');
    expect(commandTree.resolve(['db', 'no-such-command'])).toBeUndefined();
  });

  it.each([...bySubcommand.keys()])(
    'supabase %s exists and knows every flag used with it',
    async (subcommand) => {
      const entry = bySubcommand.get(subcommand) as { lines: string[]; flags: Set<string> };
      const command = commandTree.resolve(subcommand.split(' '));
      expect(command, `unknown command in: ${entry.lines.join(' | ')}`).toBeDefined();
      const notCompleted = [...entry.flags].filter((flag) => !command?.flags.includes(flag));
      if (notCompleted.length === 0) return;
      const { stdout } = await run(supabaseBin, [...subcommand.split(' '), '--help']);
      expect(stdout, entry.lines.join('\n')).toContain(`supabase ${subcommand} [flags]`);
      for (const flag of notCompleted)
        expect(stdout, `${flag} in: ${entry.lines.join(' | ')}`).toMatch(new RegExp(`\\s${flag}\\b`));
    },
  );
});
