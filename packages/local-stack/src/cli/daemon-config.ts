import { readFileSync } from 'node:fs';
import type { StackConfig } from '../config/load-config.ts';

/**
 * How the stack process gets its config: the CLI process validates config.toml (`loadConfig`, the
 * zod schema) and writes the result to the stack process's stdin as JSON. The stack process thus
 * never loads the schema, which would stay in its memory for as long as the stack runs. The
 * environment is not sent: the stack process inherits the CLI's, which the config was resolved with.
 */
export function encodeDaemonConfig(config: StackConfig): string {
  const { env: _inherited, ...rest } = config;
  return JSON.stringify(rest);
}

/** Reads the config the CLI wrote to this process's stdin (until the CLI closes it). */
export function readDaemonConfig(): StackConfig {
  const text = readFileSync(0, 'utf8');
  const config = JSON.parse(text) as Omit<StackConfig, 'env'>;
  return { ...config, env: process.env };
}
