/** One command of the CLI as its completion script declares it: its subcommands by word, its flags. */
export interface CompletionCommand {
  readonly subcommands: ReadonlyMap<string, string>;
  readonly flags: readonly string[];
}

/** The CLI's command tree read from its static bash completion script. */
export interface CompletionCommandTree {
  /** The command the words name (`['db', 'push']`), or undefined when the CLI would not dispatch to one. */
  resolve(words: readonly string[]): CompletionCommand | undefined;
}

const rootFunction = '_supabase';

/**
 * Reads `supabase --completions bash`: one shell function per command, whose `case` dispatches the
 * next word to the subcommand's function and whose `_filtered_flags` lists the command's flags.
 * Following the dispatch from the root function is how bash itself walks the command line.
 */
export function parseBashCompletion(script: string): CompletionCommandTree {
  const commands = new Map<string, CompletionCommand>();
  for (const [, name, body] of script.matchAll(/^(_supabase[\w-]*)\(\)\n\{\n([\s\S]*?)\n\}$/gm)) {
    const subcommands = new Map<string, string>();
    for (const [, words, target] of (body as string).matchAll(
      /^\s+([a-z][\w|-]*)\)\n\s+(_supabase[\w-]*) "\$i"$/gm,
    ))
      for (const word of (words as string).split('|')) subcommands.set(word, target as string);
    const flags = [...(body as string).matchAll(/_filtered_flags\+="([^"]*)"/g)].flatMap((match) =>
      (match[1] as string).split(/\s+/).filter((flag) => flag.startsWith('--')),
    );
    commands.set(name as string, { subcommands, flags });
  }
  if (!commands.has(rootFunction))
    throw new Error('not a supabase bash completion script: no _supabase function');
  return {
    resolve(words) {
      let command = commands.get(rootFunction);
      for (const word of words) {
        const next = command?.subcommands.get(word);
        command = next === undefined ? undefined : commands.get(next);
      }
      return command;
    },
  };
}
