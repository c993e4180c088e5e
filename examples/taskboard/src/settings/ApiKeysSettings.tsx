/** Workspace API keys for scripts and CI: made with some of your permissions, shown once, revocable. */
import type { ApiKey } from '@groundwork/sdk';
import { useCallback, useEffect, useState } from 'react';
import { describeError, type Problem } from '../errors.ts';
import { Alert, Field, FormEnd, ShownOnce, text, useAction } from '../ui.tsx';
import { useWorkspace } from '../workspaces/workspace-context.ts';
import { PermissionPicker, pickedPermissions } from './permission-picker.tsx';

export function ApiKeysSettings() {
  const { gw, workspace } = useWorkspace();
  const [keys, setKeys] = useState<ApiKey[]>([]);
  const [made, setMade] = useState<string | null>(null);
  const [problem, setProblem] = useState<Problem | null>(null);
  const load = useCallback(() => {
    gw.apiKeys.list(workspace.id).then(setKeys, (error: unknown) => setProblem(describeError(error)));
  }, [gw, workspace.id]);
  useEffect(load, [load]);
  const create = useAction(async (name: string, permissions: string[]) => {
    const key = await gw.apiKeys.create({ workspace_id: workspace.id, name, permissions });
    setMade(key.key);
    load();
  });
  return (
    <>
      <Alert problem={problem} />
      {keys.length === 0 ? <p className="muted">No API keys yet.</p> : null}
      <ul className="cards" aria-label="API keys">
        {keys.map((key) => (
          <li key={key.id} className="row spread wrap">
            <span>
              {key.name} <code>{key.prefix}…</code>{' '}
              <span className="muted">
                {key.permissions.join(', ')}
                {key.revoked_at ? ' · revoked' : ''}
                {key.last_used_at ? ` · last used ${new Date(key.last_used_at).toLocaleString()}` : ''}
              </span>
            </span>
            {key.revoked_at ? null : (
              <button
                type="button"
                className="secondary"
                onClick={() =>
                  void gw.apiKeys
                    .revoke(key.id)
                    .then(load, (error: unknown) => setProblem(describeError(error)))
                }
              >
                Revoke {key.name}
              </button>
            )}
          </li>
        ))}
      </ul>
      <form
        aria-label="Create an API key"
        className="panel"
        noValidate
        onSubmit={create.onSubmit((form) => [text(form, 'name'), pickedPermissions(form, 'permissions')])}
      >
        <h2>New API key</h2>
        <Field label="Key name" name="name" error={create.fields.name} />
        <PermissionPicker name="permissions" legend="It may" />
        <FormEnd action={create}>Create key</FormEnd>
      </form>
      <ShownOnce
        label="New API key"
        intro="The key, shown only now — store it as a secret of your script or CI:"
        value={made}
      />
    </>
  );
}
