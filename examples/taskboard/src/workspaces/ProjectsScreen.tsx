/** A workspace's projects, each a board, and a new one for those who may create them. */
import type { Project } from '@groundwork/sdk';
import { useCallback } from 'react';
import { navigate } from '../router.ts';
import { Alert, Field, Notice, text, useAction, useLoaded } from '../ui.tsx';
import { follow } from './Home.tsx';
import { useWorkspace } from './workspace-context.ts';

export function ProjectsScreen() {
  const { gw, workspace, can, roleReason } = useWorkspace();
  const { value: projects, problem } = useLoaded<Project[]>(
    useCallback(() => gw.projects.list(workspace.id), [gw, workspace.id]),
  );
  const create = useAction(async (name: string, key: string) => {
    const project = await gw.projects.create({ workspace_id: workspace.id, name, key });
    navigate(`/w/${workspace.slug}/p/${project.key}`);
  });
  return (
    <section aria-labelledby="projects-heading">
      <h1 id="projects-heading">{workspace.name}: projects</h1>
      <Alert problem={problem} />
      {projects === null ? (
        <p>Loading…</p>
      ) : projects.length === 0 ? (
        <p>No projects yet.</p>
      ) : (
        <ul className="cards" aria-label="Projects">
          {projects.map((project) => (
            <li key={project.id}>
              <a href={`/w/${workspace.slug}/p/${project.key}`} onClick={follow}>
                {project.name}
              </a>{' '}
              <span className="muted">{project.key}</span>
            </li>
          ))}
        </ul>
      )}
      {can('projects.create') ? (
        <form
          aria-label="Create a project"
          className="panel"
          onSubmit={create.onSubmit((form) => [text(form, 'name'), text(form, 'key').toUpperCase()])}
        >
          <h2>New project</h2>
          <Field label="Project name" name="name" required error={create.fields.name} />
          <Field
            label="Key (prefix of task numbers, e.g. ENG)"
            name="key"
            required
            maxLength={10}
            error={
              create.fields.key ?? (create.problem?.code === 'conflict' ? ['That key is in use.'] : undefined)
            }
          />
          <Alert problem={create.problem?.code === 'conflict' ? null : create.problem} />
          <button type="submit" disabled={create.busy}>
            Create project
          </button>
        </form>
      ) : (
        <Notice>{roleReason('create projects')}</Notice>
      )}
    </section>
  );
}
