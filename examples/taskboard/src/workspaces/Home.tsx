/** The signed-in person's workspaces, and a new one. */
import type { GroundworkClient, User, WorkspaceWithRole } from '@groundwork/sdk';
import { useCallback } from 'react';
import { navigate } from '../router.ts';
import { Alert, useLoaded } from '../ui.tsx';
import { CreateWorkspace } from './CreateWorkspace.tsx';

export function Home({ gw, user }: { gw: GroundworkClient; user: User }) {
  const { value: workspaces, problem } = useLoaded<WorkspaceWithRole[]>(
    useCallback(() => gw.workspaces.list(), [gw]),
  );
  return (
    <main className="centered">
      <header className="row spread">
        <h1>Your workspaces</h1>
        <span className="row">
          <a href="/account" onClick={follow}>
            Account
          </a>
          <button type="button" className="secondary" onClick={() => void gw.auth.signOut()}>
            Sign out {user.email}
          </button>
        </span>
      </header>
      <Alert problem={problem} />
      {workspaces === null ? (
        <p>Loading…</p>
      ) : workspaces.length === 0 ? (
        <p>You’re not in a workspace yet. Create one, or open an invitation you were sent.</p>
      ) : (
        <ul className="cards" aria-label="Workspaces">
          {workspaces.map((workspace) => (
            <li key={workspace.id}>
              <a href={`/w/${workspace.slug}`} onClick={follow}>
                {workspace.name}
              </a>{' '}
              <span className="muted">{workspace.role ?? 'custom role'}</span>
            </li>
          ))}
        </ul>
      )}
      <CreateWorkspace gw={gw} onCreated={(workspace) => navigate(`/w/${workspace.slug}`)} />
    </main>
  );
}

/** In-app navigation for plain links (a new tab still works, as for any link). */
export function follow(event: React.MouseEvent<HTMLAnchorElement>): void {
  if (event.metaKey || event.ctrlKey || event.shiftKey || event.button !== 0) return;
  event.preventDefault();
  navigate(event.currentTarget.getAttribute('href') ?? '/');
}
