/** The signed-in person's workspaces, and a new one. */
import type { GroundworkClient, User, WorkspaceWithRole } from '@groundwork/sdk';
import { useEffect, useState } from 'react';
import { describeError, type Problem } from '../errors.ts';
import { navigate } from '../router.ts';
import { Alert } from '../ui.tsx';
import { CreateWorkspace } from './CreateWorkspace.tsx';

export function Home({ gw, user }: { gw: GroundworkClient; user: User }) {
  const [workspaces, setWorkspaces] = useState<WorkspaceWithRole[] | null>(null);
  const [problem, setProblem] = useState<Problem | null>(null);
  useEffect(() => {
    gw.workspaces.list().then(setWorkspaces, (error: unknown) => setProblem(describeError(error)));
  }, [gw]);
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
