/**
 * One workspace: loads it from your memberships (so a workspace you're not in reads the same as
 * one that doesn't exist), your permissions, and shows the screen the address names.
 */
import type { GroundworkClient, User, Workspace, WorkspaceWithRole } from '@groundwork/sdk';
import { lazy, Suspense, useEffect, useMemo, useState } from 'react';
import { Board } from '../board/Board.tsx';
import { describeError } from '../errors.ts';
import { MembersScreen } from '../members/MembersScreen.tsx';
import { matchPath, navigate } from '../router.ts';
import { ActivityScreen } from './ActivityScreen.tsx';
import { follow } from './Home.tsx';
import { NotificationsBell } from './NotificationsBell.tsx';
import { ProjectsScreen } from './ProjectsScreen.tsx';
import { roleReason, WorkspaceContext, type WorkspaceContextValue } from './workspace-context.ts';

// Settings are visited rarely: their code (and the SDK's webhooks entry) loads when first opened.
const SettingsScreen = lazy(() =>
  import('../settings/SettingsScreen.tsx').then((module) => ({ default: module.SettingsScreen })),
);

type Loaded =
  | { status: 'loading' }
  | { status: 'missing' }
  | { status: 'needs-mfa'; workspace: Workspace }
  | { status: 'failed'; message: string }
  | {
      status: 'ready';
      workspace: WorkspaceWithRole;
      workspaces: WorkspaceWithRole[];
      permissions: string[];
      roleName: string;
    };

/**
 * A workspace that requires two-factor authentication shows a session without it nothing but its
 * own row — not even the membership, so it is missing from the list: the row and the workspace's
 * MFA status tell such a member why, instead of "no access". Anyone else reads no row at all and
 * gets the same "no access" as for a workspace that doesn't exist.
 */
async function lockedOrMissing(gw: GroundworkClient, slug: string): Promise<Loaded> {
  const workspace = await gw.workspaces.get(slug).catch(() => null);
  if (!workspace?.require_mfa) return { status: 'missing' };
  const mfa = await gw.workspaceMfa.status(workspace.id).catch(() => null);
  return mfa && !mfa.mfa_satisfied ? { status: 'needs-mfa', workspace } : { status: 'missing' };
}

export function WorkspaceScreen({
  gw,
  user,
  slug,
  path,
  query,
}: {
  gw: GroundworkClient;
  user: User;
  slug: string;
  path: string;
  query: URLSearchParams;
}) {
  const [loaded, setLoaded] = useState<Loaded>({ status: 'loading' });
  useEffect(() => {
    let live = true;
    setLoaded({ status: 'loading' });
    (async () => {
      const workspaces = await gw.workspaces.list();
      const workspace = workspaces.find((candidate) => candidate.slug === slug);
      if (!workspace) return lockedOrMissing(gw, slug);
      const [permissions, roles] = await Promise.all([
        gw.roles.myPermissions(workspace.id),
        gw.roles.list(workspace.id),
      ]);
      // A custom role has no built-in name (role is null): its own name says what you are.
      const roleName =
        workspace.role ?? roles.find((role) => role.id === workspace.role_id)?.name ?? 'custom role';
      return { status: 'ready', workspace, workspaces, permissions, roleName } as const;
    })().then(
      (result) => {
        if (live) setLoaded(result);
      },
      (error: unknown) => {
        if (live) setLoaded({ status: 'failed', message: describeError(error).message });
      },
    );
    return () => {
      live = false;
    };
  }, [gw, slug]);

  const context = useMemo<WorkspaceContextValue | null>(() => {
    if (loaded.status !== 'ready') return null;
    const { workspace, roleName } = loaded;
    const permissions = new Set(loaded.permissions);
    return {
      gw,
      user,
      workspace,
      permissions,
      roleName,
      can: (p) => permissions.has(p),
      roleReason: (needs) => roleReason(workspace, roleName, needs),
    };
  }, [gw, user, loaded]);

  if (loaded.status === 'loading') return <p className="centered">Loading…</p>;
  if (loaded.status === 'needs-mfa') {
    return (
      <main className="centered">
        <h1>{loaded.workspace.name} requires two-factor authentication</h1>
        <p role="status" className="notice">
          Its admins ask everyone to sign in with an authenticator app or a security key. Set one up on your
          account, then open the workspace again.
        </p>
        <div className="row">
          <a href="/account" onClick={follow}>
            Set up two-factor authentication
          </a>
          <a href="/" onClick={follow}>
            Back to your workspaces
          </a>
        </div>
      </main>
    );
  }
  if (loaded.status !== 'ready' || !context) {
    return (
      <main className="centered">
        <h1>You don’t have access to this workspace</h1>
        <p role="alert" className="alert">
          {loaded.status === 'failed'
            ? loaded.message
            : 'It doesn’t exist, or you aren’t a member. Ask one of its admins to invite you.'}
        </p>
        <a href="/" onClick={follow}>
          Back to your workspaces
        </a>
      </main>
    );
  }

  const base = `/w/${slug}`;
  const rest = path.slice(base.length) || '/';
  const board = matchPath('/p/:key', rest);
  const section = rest.split('/')[1] ?? '';
  const nav: [string, string][] = [
    ['', 'Projects'],
    ['members', 'Members'],
    ['activity', 'Activity'],
    ['settings', 'Settings'],
  ];
  return (
    <WorkspaceContext.Provider value={context}>
      <div className="shell">
        <header className="topbar">
          <label className="switcher">
            <span className="visually-hidden">Workspace</span>
            <select
              aria-label="Switch workspace"
              value={slug}
              onChange={(event) => navigate(event.target.value === '' ? '/' : `/w/${event.target.value}`)}
            >
              {loaded.workspaces.map((workspace) => (
                <option key={workspace.id} value={workspace.slug}>
                  {workspace.name}
                </option>
              ))}
              <option value="">+ New workspace…</option>
            </select>
          </label>
          <nav aria-label="Workspace">
            {nav.map(([to, label]) => (
              <a
                key={to}
                href={`${base}/${to}`.replace(/\/$/, '')}
                onClick={follow}
                aria-current={
                  (to === '' ? section === '' || section === 'p' : section === to) ? 'page' : undefined
                }
              >
                {label}
              </a>
            ))}
          </nav>
          <div className="row">
            <NotificationsBell workspaces={loaded.workspaces} />
            <a href="/account" onClick={follow} title={user.email ?? ''}>
              {user.email}
            </a>
            <button type="button" className="secondary" onClick={() => void gw.auth.signOut()}>
              Sign out
            </button>
          </div>
        </header>
        <main className="content">
          {board ? (
            <Board projectKey={board.key ?? ''} openTaskKey={query.get('task')} />
          ) : section === 'members' ? (
            <MembersScreen />
          ) : section === 'activity' ? (
            <ActivityScreen />
          ) : section === 'settings' ? (
            <Suspense fallback={<p>Loading…</p>}>
              <SettingsScreen section={rest.split('/')[2] ?? ''} />
            </Suspense>
          ) : (
            <ProjectsScreen />
          )}
        </main>
      </div>
    </WorkspaceContext.Provider>
  );
}
