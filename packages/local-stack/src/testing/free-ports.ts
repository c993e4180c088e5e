import type { Ports } from '../config/load-config.ts';
import { canBind } from '../processes/ports.ts';

// Below Linux's ephemeral range (32768–60999), where the OS never hands out a port to a
// port-0 bind: every other test stack binds port 0, so a fixed port picked in the ephemeral
// range can be given to one of them between the pick and the CLI binding it.
const FIXED_PORTS = { from: 20_000, to: 32_000 };
const handedOut = new Set<number>();

/** A free port (and the `span - 1` after it) below the ephemeral range, not handed out before. */
async function findFixedPort(span = 1): Promise<number> {
  for (;;) {
    const port = FIXED_PORTS.from + Math.floor(Math.random() * (FIXED_PORTS.to - FIXED_PORTS.from));
    const run = Array.from({ length: span }, (_, i) => port + i);
    if (run.some((candidate) => handedOut.has(candidate))) continue;
    if ((await Promise.all(run.map(canBind))).every(Boolean)) {
      for (const candidate of run) handedOut.add(candidate);
      return port;
    }
  }
}

/**
 * Ports free right now, for a test that must write fixed ports into a config.toml (the
 * CLI's): chosen below the ephemeral range, so the port-0 binds of test stacks running
 * alongside can't take them; the mail port's next one (the CLI's SMTP port) is free too.
 * Test stacks don't use this: they bind port 0.
 */
export async function freePorts(): Promise<Ports> {
  const api = await findFixedPort();
  const db = await findFixedPort();
  const mail = await findFixedPort(2);
  return { api, db, mail, smtp: mail + 1 };
}
