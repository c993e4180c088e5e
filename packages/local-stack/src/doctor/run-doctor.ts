import { join, relative } from 'node:path';
import { loadConfig } from '../config/load-config.ts';
import { StackError } from '../errors.ts';
import { checkConfigPush } from './checks/config-push.ts';
import { checkFunctionEnv } from './checks/function-env.ts';
import { checkFunctionImports } from './checks/function-imports.ts';
import { checkMigrationPrivileges } from './checks/migration-privileges.ts';
import { checkUnverifiedFunctions } from './checks/unverified-functions.ts';
import { byImportance, type Finding } from './finding.ts';
import { functionSources } from './function-sources.ts';

export interface DoctorReport {
  workdir: string;
  findings: Finding[];
  errors: number;
}

/** Reads the project (config.toml, migrations, functions) and says what would break on hosted. */
export function runDoctor(
  options: { workdir?: string; cwd?: string; env?: Record<string, string | undefined> } = {},
): DoctorReport {
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig({ ...options, gateway: 'hosted' });
  } catch (error) {
    if (!(error instanceof StackError) || error.code !== 'config_invalid') throw error;
    const workdir = options.workdir ?? options.cwd ?? process.cwd();
    const findings: Finding[] = [
      {
        kind: 'config-invalid',
        severity: 'error',
        file: relative(workdir, join(workdir, 'supabase', 'config.toml')) || 'supabase/config.toml',
        message: error.message,
        fix: 'correct the value; the Supabase CLI refuses it too',
      },
    ];
    return { workdir, findings, errors: 1 };
  }
  const functions = functionSources(config);
  const findings = [
    ...checkFunctionImports(config, functions),
    ...checkFunctionEnv(config, functions),
    ...checkUnverifiedFunctions(config, functions),
    ...checkMigrationPrivileges(config),
    ...checkConfigPush(config),
  ].sort(byImportance);
  return { workdir: config.workdir, findings, errors: findings.filter((f) => f.severity === 'error').length };
}

export function formatReport(report: DoctorReport): string {
  const count = (severity: Finding['severity']) =>
    report.findings.filter((f) => f.severity === severity).length;
  const lines = report.findings.flatMap((finding) => [
    `${finding.severity.padEnd(7)} ${finding.file}${finding.line ? `:${finding.line}` : ''}  [${finding.kind}]`,
    `        ${finding.message}`,
    `        fix: ${finding.fix}`,
  ]);
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  const summary = `groundwork doctor: ${plural(count('error'), 'error')}, ${plural(count('warning'), 'warning')}, ${plural(count('notice'), 'notice')}`;
  return `${[...lines, summary].join('\n')}\n`;
}
