import type { GroundworkClient, Workspace } from '@groundwork/sdk';
import { useState } from 'react';
import { Alert, Field, text, useAction } from '../ui.tsx';

function slugOf(name: string): string {
  return name
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40);
}

export function CreateWorkspace({
  gw,
  onCreated,
}: {
  gw: GroundworkClient;
  onCreated: (workspace: Workspace) => void;
}) {
  const [name, setName] = useState('');
  const [slug, setSlug] = useState('');
  const [slugEdited, setSlugEdited] = useState(false);
  const action = useAction(async (workspaceName: string, workspaceSlug: string) => {
    onCreated(await gw.workspaces.create({ name: workspaceName, slug: workspaceSlug }));
  });
  return (
    <form
      aria-label="Create a workspace"
      noValidate
      className="panel"
      onSubmit={action.onSubmit((form) => [text(form, 'name'), text(form, 'slug')])}
    >
      <h2>Create a workspace</h2>
      <Field
        label="Workspace name"
        name="name"
        required
        value={name}
        onChange={(event) => {
          setName(event.target.value);
          if (!slugEdited) setSlug(slugOf(event.target.value));
        }}
        error={action.fields.name}
      />
      <Field
        label="Address (slug)"
        name="slug"
        required
        value={slug}
        onChange={(event) => {
          setSlugEdited(true);
          setSlug(event.target.value);
        }}
        error={
          action.fields.slug ?? (action.problem?.code === 'conflict' ? [action.problem.message] : undefined)
        }
      />
      <Alert problem={action.problem?.code === 'conflict' ? null : action.problem} />
      <button type="submit" disabled={action.busy}>
        Create workspace
      </button>
    </form>
  );
}
