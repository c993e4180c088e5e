import { parseArgs } from 'node:util';
import {
  advisorsCommand,
  devCommand,
  genTypesCommand,
  resetCommand,
  startCommand,
  statusCommand,
  stopCommand,
} from './cli/commands.ts';
import { loadConfig } from './config/load-config.ts';
import { isStackError } from './errors.ts';

const USAGE = `groundwork — the Supabase API on this machine, without Docker

Usage: groundwork <command> [--workdir <dir>]

Commands:
  dev          run the stack in the foreground with logs until Ctrl-C
  start        start the stack in the background and return once it is ready
  stop         stop the background stack
  status       print URLs and keys (-o env | json | pretty)
  reset        rebuild the database from scratch (migrations and seed)
  gen-types    print TypeScript types for the database (the real "supabase gen types")
  advisors     run the real "supabase db advisors" against the local database
`;

async function main(argv: string[]): Promise<void> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: false,
    options: {
      workdir: { type: 'string' },
      output: { type: 'string', short: 'o' },
      schema: { type: 'string', short: 's', multiple: true },
      help: { type: 'boolean', short: 'h' },
      'quiet-status': { type: 'boolean' },
    },
  });
  const command = positionals[0];
  if (!command || values.help) {
    process.stdout.write(USAGE);
    return;
  }
  const workdir = typeof values.workdir === 'string' ? values.workdir : undefined;
  const config = loadConfig(workdir ? { workdir } : {});
  switch (command) {
    case 'dev':
      return devCommand(config, { background: values['quiet-status'] === true });
    case 'start':
      return startCommand(config);
    case 'stop':
      return stopCommand(config);
    case 'status':
      return statusCommand(config, typeof values.output === 'string' ? values.output : undefined);
    case 'reset':
      return resetCommand(config);
    case 'gen-types':
      return genTypesCommand(config, (values.schema as string[] | undefined) ?? ['public']);
    case 'advisors':
      return advisorsCommand(config, positionals.slice(1));
    default:
      process.stderr.write(`unknown command "${command}"\n\n${USAGE}`);
      process.exitCode = 2;
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  if (isStackError(error)) {
    process.stderr.write(`error${error.step ? ` [${error.step}]` : ''}: ${error.message}\n`);
  } else {
    process.stderr.write(`error: ${(error as Error).stack ?? String(error)}\n`);
  }
  process.exit(1);
});
