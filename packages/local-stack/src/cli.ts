import { readFileSync } from 'node:fs';
import {
  type CommandName,
  commandUsage,
  type Invocation,
  parseCommandLine,
  UsageError,
  usage,
} from './cli/command-line.ts';
import { reportError } from './cli/report-error.ts';
import { locateProject } from './config/project-location.ts';
import type { StatusFormat } from './status.ts';

type Run = Extract<Invocation, { kind: 'run' }>;

/**
 * Each command loads only what it needs when it runs: `status` and `stop` read the state
 * file and never load the stack (Postgres client, HTTP services, config schema), so they
 * answer in a few tens of milliseconds.
 */
const COMMAND_RUNNERS: Record<CommandName, (run: Run) => Promise<void>> = {
  dev: async ({ workdir }) => (await import('./cli/dev.ts')).devCommand(locate(workdir)),
  start: async ({ workdir }) => (await import('./cli/start.ts')).startCommand(workdir),
  stop: async ({ workdir }) => (await import('./cli/stop.ts')).stopCommand(locate(workdir)),
  status: async ({ workdir, flags }) =>
    (await import('./cli/status.ts')).statusCommand(
      locate(workdir),
      (flags.output as StatusFormat | undefined) ?? 'pretty',
    ),
  reset: async ({ workdir, flags }) =>
    (await import('./cli/reset.ts')).resetCommand(locate(workdir), { yes: flags.yes === true }),
  'gen-types': async ({ workdir, flags }) =>
    (await import('./cli/gen-types.ts')).genTypesCommand(
      locate(workdir),
      ((flags.schema as string[] | undefined) ?? ['public']).flatMap((schema) => schema.split(',')),
    ),
  doctor: async ({ workdir, flags }) =>
    (await import('./cli/doctor.ts')).doctorCommand(workdir, flags.output === 'json' ? 'json' : 'text'),
  'test db': async ({ workdir, flags }) =>
    (await import('./cli/test-db.ts')).testDbCommand(
      locate(workdir),
      typeof flags['db-url'] === 'string' ? { dbUrl: flags['db-url'] } : {},
    ),
  advisors: async ({ workdir, flags }) =>
    (await import('./cli/advisors.ts')).advisorsCommand(
      locate(workdir),
      Object.entries(flags).flatMap(([name, value]) =>
        typeof value === 'string' ? [`--${name}`, value] : [],
      ),
    ),
};

const locate = (workdir: string | undefined) => locateProject(workdir ? { workdir } : {});

function version(): string {
  const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return manifest.version;
}

async function main(argv: string[]): Promise<void> {
  const invocation = parseCommandLine(argv);
  switch (invocation.kind) {
    case 'help':
      process.stdout.write(invocation.command ? commandUsage(invocation.command) : usage());
      return;
    case 'version':
      process.stdout.write(`${version()}\n`);
      return;
    case 'run':
      return COMMAND_RUNNERS[invocation.command](invocation);
  }
}

try {
  await main(process.argv.slice(2));
} catch (error) {
  if (error instanceof UsageError) {
    process.stderr.write(
      `groundwork: ${error.message}\n\n${error.command ? commandUsage(error.command) : usage()}`,
    );
    process.exit(2);
  }
  reportError(error);
  process.exit(1);
}
