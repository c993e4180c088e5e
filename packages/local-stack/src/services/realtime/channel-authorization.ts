import type { JWTPayload } from 'jose';
import type pg from 'pg';

/**
 * Realtime Authorization as hosted does it: RLS policies on realtime.messages decide
 * who may read (join, receive) and write (send, track) on a private channel. Reads are
 * probed by inserting one broadcast and one presence row and selecting them back as
 * the caller; writes by inserting as the caller. Everything is rolled back, so the
 * probes never reach the replication stream.
 */

export interface ChannelIdentity {
  /** The channel's sub-topic (what `realtime.topic()` returns in policies). */
  topic: string;
  role: string;
  claims: JWTPayload;
}

export interface ReadPolicies {
  broadcast: boolean;
  presence: boolean;
}

export type Extension = 'broadcast' | 'presence';

async function actAs(client: pg.PoolClient, identity: ChannelIdentity) {
  await client.query(
    `select set_config('role', $1, true), set_config('realtime.topic', $2, true),
            set_config('request.jwt.claims', $3, true), set_config('request.headers', '{}', true)`,
    [identity.role, identity.topic, JSON.stringify(identity.claims)],
  );
}

export async function readPolicies(db: pg.Pool, identity: ChannelIdentity): Promise<ReadPolicies> {
  const client = await db.connect();
  try {
    await client.query('begin');
    const probes = await client.query<{ id: string; extension: Extension }>(
      `insert into realtime.messages (topic, extension, private)
       values ($1, 'broadcast', true), ($1, 'presence', true)
       returning id::text, extension`,
      [identity.topic],
    );
    await actAs(client, identity);
    const visible = await client.query<{ id: string }>(
      'select id::text from realtime.messages where topic = $1 and id = any($2::uuid[])',
      [identity.topic, probes.rows.map((row) => row.id)],
    );
    const seen = new Set(visible.rows.map((row) => row.id));
    const can = (extension: Extension) =>
      probes.rows.some((row) => row.extension === extension && seen.has(row.id));
    return { broadcast: can('broadcast'), presence: can('presence') };
  } catch {
    // A policy that errors (or an unknown role) grants nothing, as hosted.
    return { broadcast: false, presence: false };
  } finally {
    await client.query('rollback').catch(() => {});
    client.release();
  }
}

export async function canWrite(
  db: pg.Pool,
  identity: ChannelIdentity,
  extension: Extension,
): Promise<boolean> {
  const client = await db.connect();
  try {
    await client.query('begin');
    await actAs(client, identity);
    await client.query(`insert into realtime.messages (topic, extension, private) values ($1, $2, true)`, [
      identity.topic,
      extension,
    ]);
    return true;
  } catch {
    return false;
  } finally {
    await client.query('rollback').catch(() => {});
    client.release();
  }
}
