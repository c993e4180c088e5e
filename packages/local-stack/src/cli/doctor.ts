import { formatReport, runDoctor } from '../doctor/run-doctor.ts';

/** `groundwork doctor`: the preflight for hosted; exit code 1 when it finds an error, so CI can run it. */
export function doctorCommand(workdir: string | undefined, format: 'text' | 'json'): void {
  const report = runDoctor(workdir ? { workdir } : {});
  process.stdout.write(
    format === 'json'
      ? `${JSON.stringify({ findings: report.findings, errors: report.errors }, null, 2)}\n`
      : formatReport(report),
  );
  if (report.errors > 0) process.exitCode = 1;
}
