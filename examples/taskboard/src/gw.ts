/**
 * The app's one Groundwork client, from the two values a browser may hold: the API URL and the
 * publishable key. Everything the app does goes through it, as the signed-in person.
 */
import { createGroundworkClient, type GroundworkClient } from '@groundwork/sdk';

function connect(): { gw: GroundworkClient; problem: null } | { gw: null; problem: string } {
  const url = import.meta.env.GROUNDWORK_URL as string | undefined;
  const key = import.meta.env.GROUNDWORK_KEY as string | undefined;
  if (!url || !key) {
    return {
      gw: null,
      problem:
        'GROUNDWORK_URL and GROUNDWORK_KEY are not set. Run `npm run dev` at the repository root, or put them in examples/taskboard/.env.',
    };
  }
  return { gw: createGroundworkClient({ url, key }), problem: null };
}

export const connection = connect();
