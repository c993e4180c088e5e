import { parseArgs } from 'node:util';
import { STATUS_FORMATS } from '../status.ts';

/**
 * The CLI's grammar: every command, its flags and their help, declared once. Parsing is
 * strict: an unknown command, flag or stray argument is a usage error (exit code 2), never
 * something silently ignored.
 */
interface FlagSpec {
  type: 'string' | 'boolean';
  short?: string;
  multiple?: boolean;
  /** Shown in help as `--flag <value>`. */
  value?: string;
  /** The only values accepted. */
  choices?: readonly string[];
  help: string;
}

interface CommandSpec {
  summary: string;
  /** Extra help under the usage line. */
  details?: string;
  flags: Record<string, FlagSpec>;
}

const WORKDIR_FLAG: FlagSpec = {
  type: 'string',
  value: 'dir',
  help: 'the folder holding supabase/ (default: the nearest one upward from here)',
};
const HELP_FLAG: FlagSpec = { type: 'boolean', short: 'h', help: 'show this help' };

export const COMMANDS = {
  dev: {
    summary: 'run the stack in the foreground with logs until Ctrl-C',
    flags: {},
  },
  start: {
    summary: 'start the stack in the background and return once it is ready',
    flags: {},
  },
  stop: {
    summary: 'stop the background stack (the data stays for the next start)',
    flags: {},
  },
  status: {
    summary: 'print the URLs and keys of the running stack',
    details:
      'The variable names are those of "supabase status -o env", so scripts written for the\nSupabase CLI can read ours.',
    flags: {
      output: {
        type: 'string',
        short: 'o',
        value: 'format',
        choices: STATUS_FORMATS,
        help: `output format: ${STATUS_FORMATS.join(', ')} (default pretty)`,
      },
    },
  },
  reset: {
    summary: 'delete the local database and stored files, then rebuild from migrations and seed',
    details:
      'On a terminal it asks first. A running stack is restarted on a fresh database; a stopped\none is left stopped, and its next start rebuilds the database from migrations and seed.',
    flags: {
      yes: { type: 'boolean', short: 'y', help: 'do not ask before deleting' },
    },
  },
  'gen-types': {
    summary: 'print TypeScript types for the database (the real "supabase gen types")',
    flags: {
      schema: {
        type: 'string',
        short: 's',
        multiple: true,
        value: 'name',
        help: 'schema to include; repeat or separate with commas (default public)',
      },
    },
  },
  doctor: {
    summary: 'check the project for what would break on hosted Supabase (exit 1 on errors)',
    details:
      'Reads config.toml, the migrations and the functions; needs no running stack. Each finding\nnames the file and a one-line fix. Errors: function imports the deploy cannot bundle,\nsecrets .env.example does not declare, migrations needing privileges or extensions hosted\ndoes not have, functions without verify_jwt that check no caller. Notices: what to push.',
    flags: {
      output: {
        type: 'string',
        short: 'o',
        value: 'format',
        choices: ['text', 'json'],
        help: 'output format: text or json (default text)',
      },
    },
  },
  'test db': {
    summary: 'run the pgTAP tests in supabase/tests/ against the database (TAP output; exit 1 on a failure)',
    details:
      'Each *.sql file runs in its own transaction, rolled back afterwards, with pgTAP and the\n"tests" helpers (tests.create_supabase_user, tests.authenticate_as, …) installed in it.\nThe database is the running stack\'s unless --db-url names another.',
    flags: {
      'db-url': {
        type: 'string',
        value: 'url',
        help: "test this database instead of the running stack's (postgresql://…)",
      },
    },
  },
  advisors: {
    summary: 'run the real "supabase db advisors" against the local database',
    flags: {
      type: {
        type: 'string',
        value: 'type',
        choices: ['all', 'security', 'performance'],
        help: 'advisors to run: all, security or performance',
      },
      level: {
        type: 'string',
        value: 'level',
        choices: ['info', 'warn', 'error'],
        help: 'lowest level to report: info, warn or error',
      },
      'fail-on': {
        type: 'string',
        value: 'level',
        choices: ['none', 'info', 'warn', 'error'],
        help: 'exit non-zero from this level on: none, info, warn or error',
      },
      'output-format': {
        type: 'string',
        value: 'format',
        choices: ['text', 'json'],
        help: 'text or json',
      },
    },
  },
} satisfies Record<string, CommandSpec>;

export type CommandName = keyof typeof COMMANDS;

export type Invocation =
  | { kind: 'help'; command?: CommandName }
  | { kind: 'version' }
  | {
      kind: 'run';
      command: CommandName;
      workdir: string | undefined;
      flags: Record<string, string | boolean | (string | boolean)[] | undefined>;
    };

/** Bad command-line input: printed with the usage, exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
  constructor(
    message: string,
    readonly command?: CommandName,
  ) {
    super(message);
  }
}

const isCommand = (name: string | undefined): name is CommandName =>
  name !== undefined && Object.hasOwn(COMMANDS, name);

function flagsOf(command: CommandName): Record<string, FlagSpec> {
  return { ...COMMANDS[command].flags, workdir: WORKDIR_FLAG, help: HELP_FLAG };
}

/** `test db` is written as two words; every other command is one. */
function joinTwoWordCommand(argv: readonly string[]): string[] {
  const [first, second, ...rest] = argv;
  if (first !== undefined && second !== undefined && isCommand(`${first} ${second}`)) {
    return [`${first} ${second}`, ...rest];
  }
  return [...argv];
}

export function parseCommandLine(argv: readonly string[]): Invocation {
  const [first, ...afterFirst] = joinTwoWordCommand(argv);
  // "help test db" names a two-word command too.
  const rest = first === 'help' ? joinTwoWordCommand(afterFirst) : afterFirst;
  if (first === undefined || first === '-h' || first === '--help') return { kind: 'help' };
  if (first === '-v' || first === '--version') {
    if (rest.length > 0) throw new UsageError(`unexpected argument "${rest[0]}" after ${first}`);
    return { kind: 'version' };
  }
  if (first === 'help') {
    const [topic, ...extra] = rest;
    if (topic === undefined) return { kind: 'help' };
    if (!isCommand(topic)) throw new UsageError(`unknown command "${topic}"`);
    if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}"`, topic);
    return { kind: 'help', command: topic };
  }
  if (first.startsWith('-')) throw new UsageError(`expected a command before "${first}"`);
  if (!isCommand(first)) throw new UsageError(`unknown command "${first}"`);

  const specs = flagsOf(first);
  let values: Record<string, string | boolean | (string | boolean)[] | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...rest],
      strict: true,
      allowPositionals: false,
      options: Object.fromEntries(
        Object.entries(specs).map(([name, spec]) => [
          name,
          { type: spec.type, ...(spec.short ? { short: spec.short } : {}), multiple: spec.multiple ?? false },
        ]),
      ),
    }));
  } catch (error) {
    throw new UsageError(describeParseError(error as Error & { code?: string }), first);
  }
  if (values.help) return { kind: 'help', command: first };
  for (const [name, spec] of Object.entries(specs)) {
    const given = values[name];
    if (!spec.choices || given === undefined) continue;
    for (const value of [given].flat()) {
      if (typeof value === 'string' && !spec.choices.includes(value)) {
        throw new UsageError(`--${name} must be one of ${spec.choices.join(', ')} (got "${value}")`, first);
      }
    }
  }
  const { workdir, help: _help, ...flags } = values;
  return { kind: 'run', command: first, workdir: typeof workdir === 'string' ? workdir : undefined, flags };
}

/** node:util's messages name its own API ("To specify a positional argument …"); keep only the fact. */
function describeParseError(error: Error & { code?: string }): string {
  const option = /'(-[^']+)'/.exec(error.message)?.[1];
  switch (error.code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return `unknown flag ${option ?? error.message}`;
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
      return `unexpected argument "${/'([^']*)'/.exec(error.message)?.[1] ?? ''}"`;
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      return /argument missing/.test(error.message)
        ? `${option ?? 'flag'} needs a value`
        : `${option ?? 'flag'} takes no value`;
    default:
      return error.message;
  }
}

export function usage(): string {
  const names = Object.keys(COMMANDS) as CommandName[];
  const width = Math.max(...names.map((name) => name.length));
  return [
    'groundwork — the Supabase API on this machine, without Docker',
    '',
    'Usage: groundwork <command> [flags]',
    '',
    'Commands:',
    ...names.map((name) => `  ${name.padEnd(width)}  ${COMMANDS[name].summary}`),
    '',
    'Flags for every command:',
    ...flagLines({ workdir: WORKDIR_FLAG, help: HELP_FLAG }),
    '',
    '"groundwork help <command>" (or "groundwork <command> --help") describes a command.',
    '"groundwork --version" prints the version.',
    '',
  ].join('\n');
}

export function commandUsage(command: CommandName): string {
  const spec: CommandSpec = COMMANDS[command];
  const own = Object.entries(spec.flags)
    .map(
      ([name, flag]) =>
        `[${flag.short ? `-${flag.short}` : `--${name}`}${flag.value ? ` <${flag.value}>` : ''}]`,
    )
    .join(' ');
  return [
    `groundwork ${command} — ${spec.summary}`,
    '',
    `Usage: groundwork ${command}${own ? ` ${own}` : ''} [--workdir <dir>]`,
    ...(spec.details ? ['', spec.details] : []),
    '',
    'Flags:',
    ...flagLines(flagsOf(command)),
    '',
  ].join('\n');
}

function flagName(name: string, flag: FlagSpec): string {
  const value = flag.value ? ` <${flag.value}>` : '';
  return flag.short ? `-${flag.short}, --${name}${value}` : `--${name}${value}`;
}

function flagLines(flags: Record<string, FlagSpec>): string[] {
  const entries = Object.entries(flags).map(([name, flag]) => {
    const label = flagName(name, flag);
    return [flag.short ? label : `    ${label}`, flag.help] as const;
  });
  const width = Math.max(...entries.map(([label]) => label.length));
  return entries.map(([label, help]) => `  ${label.padEnd(width)}  ${help}`);
}
