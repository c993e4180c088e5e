/** Your account: who you're signed in as, and two-factor authentication. */
import type { GroundworkClient, User } from '@groundwork/sdk';
import { follow } from '../workspaces/Home.tsx';
import { TwoFactor } from './TwoFactor.tsx';

export function AccountScreen({ gw, user }: { gw: GroundworkClient; user: User }) {
  return (
    <main className="centered">
      <header className="row spread">
        <h1>Your account</h1>
        <a href="/" onClick={follow}>
          Your workspaces
        </a>
      </header>
      <p>Signed in as {user.email}.</p>
      <TwoFactor gw={gw} />
    </main>
  );
}
