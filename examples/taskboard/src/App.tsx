/** The app's frame: configuration, session, and which screen the address asks for. */
import type { GroundworkClient } from '@groundwork/sdk';
import { AcceptInvitation } from './auth/AcceptInvitation.tsx';
import { AuthScreen } from './auth/AuthScreen.tsx';
import { connection } from './gw.ts';
import { matchPath, useLocation } from './router.ts';
import { useSession } from './session.ts';
import { Home } from './workspaces/Home.tsx';
import { WorkspaceScreen } from './workspaces/WorkspaceScreen.tsx';

export function App() {
  if (!connection.gw) {
    return (
      <main className="centered">
        <h1>Taskboard</h1>
        <p className="alert" role="alert">
          {connection.problem}
        </p>
      </main>
    );
  }
  return <Signed gw={connection.gw} />;
}

function Signed({ gw }: { gw: GroundworkClient }) {
  const session = useSession(gw);
  const { path, query } = useLocation();
  if (session.status === 'loading') return <p className="centered">Loading…</p>;

  const invitation = path === '/accept-invitation' ? query.get('token') : null;
  const link = path === '/join' ? query.get('token') : null;
  if (session.status === 'signed-out') {
    const intro =
      invitation || link
        ? 'You have been invited to a workspace. Sign in or create an account to join it' +
          (invitation ? ' — with the email address the invitation was sent to.' : '.')
        : undefined;
    return <AuthScreen gw={gw} intro={intro} />;
  }
  const user = session.session.user;
  if (invitation !== null || link !== null) {
    return (
      <AcceptInvitation
        gw={gw}
        token={invitation ?? link ?? ''}
        kind={invitation !== null ? 'email' : 'link'}
      />
    );
  }
  const inWorkspace = matchPath('/w/:slug', path.split('/').slice(0, 3).join('/'));
  if (inWorkspace) {
    return <WorkspaceScreen gw={gw} user={user} slug={inWorkspace.slug ?? ''} path={path} query={query} />;
  }
  return <Home gw={gw} user={user} />;
}
