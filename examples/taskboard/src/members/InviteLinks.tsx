/** Shareable invite links: made for a role, shown once in full, revocable. */
import type { InviteLink, Role } from '@groundwork/sdk';
import { useCallback, useEffect, useState } from 'react';
import { describeError, type Problem } from '../errors.ts';
import { Alert, Field, ShownOnce, useAction } from '../ui.tsx';
import { useWorkspace } from '../workspaces/workspace-context.ts';

export function InviteLinks() {
  const { gw, workspace } = useWorkspace();
  const [roles, setRoles] = useState<Role[]>([]);
  const [links, setLinks] = useState<InviteLink[]>([]);
  const [made, setMade] = useState<string | null>(null);
  const [problem, setProblem] = useState<Problem | null>(null);
  const load = useCallback(() => {
    gw.inviteLinks.list(workspace.id).then(setLinks, (error: unknown) => setProblem(describeError(error)));
  }, [gw, workspace.id]);
  useEffect(() => {
    load();
    gw.roles.list(workspace.id).then(
      (all) => setRoles(all.filter((role) => role.builtin !== 'owner')),
      () => undefined,
    );
  }, [gw, workspace.id, load]);
  const create = useAction(async (roleId: string, maxUses: number) => {
    const link = await gw.inviteLinks.create({
      workspace_id: workspace.id,
      role_id: roleId,
      max_uses: maxUses,
    });
    setMade(`${window.location.origin}/join?token=${encodeURIComponent(link.token)}`);
    load();
  });
  const roleName = (id: string) => roles.find((role) => role.id === id)?.name ?? 'role';
  return (
    <div className="panel">
      <form
        aria-label="Create an invite link"
        onSubmit={create.onSubmit((form) => [
          String(form.get('role_id') ?? ''),
          Number(form.get('max_uses') ?? 10),
        ])}
      >
        <h2>Invite by link</h2>
        <div className="field">
          <label htmlFor="link-role">Joins as</label>
          <select id="link-role" name="role_id" required>
            {roles.map((role) => (
              <option key={role.id} value={role.id}>
                {role.name}
              </option>
            ))}
          </select>
        </div>
        <Field
          label="How many people may use it"
          name="max_uses"
          type="number"
          min={1}
          max={1000}
          defaultValue={10}
          error={create.fields.max_uses}
        />
        <Alert problem={create.problem} />
        <button type="submit" disabled={create.busy || roles.length === 0}>
          Create link
        </button>
      </form>
      <ShownOnce label="New invite link" intro="Share this link. It is shown only now:" value={made} />
      <Alert problem={problem} />
      {links.length > 0 ? (
        <ul aria-label="Invite links" className="cards">
          {links.map((link) => (
            <li key={link.id} className="row spread wrap">
              <span>
                {roleName(link.role_id)} · used {link.use_count} of {link.max_uses}
                {link.revoked_at ? ' · revoked' : ''}
              </span>
              {link.revoked_at ? null : (
                <button
                  type="button"
                  className="secondary"
                  onClick={() =>
                    void gw.inviteLinks
                      .revoke(link.id)
                      .then(load, (error: unknown) => setProblem(describeError(error)))
                  }
                >
                  Revoke
                </button>
              )}
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}
