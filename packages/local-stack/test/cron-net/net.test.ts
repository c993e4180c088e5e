import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.ts';
import { findFreePort } from '../../src/processes/ports.ts';
import { netService } from '../../src/services/net/index.ts';
import { startTestStack, type TestStack } from '../../src/testing/index.ts';
import { type HttpReceiver, startHttpReceiver } from './http-receiver.ts';

const fixture = new URL('./fixtures/net-project', import.meta.url).pathname;
const logLines: string[] = [];
let stack: TestStack;
let receiver: HttpReceiver;

beforeAll(async () => {
  receiver = await startHttpReceiver();
  stack = await startTestStack({
    workdir: fixture,
    services: [netService],
    log: createLogger('stack', (line) => logLines.push(line)),
  });
  // As the dashboard creates a Database Webhook: an after-row trigger on the table.
  await stack.db.query(`
    create trigger orders_webhook after insert or update on public.orders
      for each row execute function supabase_functions.http_request(
        '${receiver.url}/hooks/orders', 'POST', '{"Content-Type":"application/json"}', '{}', '1000')`);
});
afterAll(async () => {
  await stack?.stop();
  await receiver?.close();
});

const query = async <Row extends pg.QueryResultRow>(sql: string, values: unknown[] = []) =>
  (await stack.db.query<Row>(sql, values)).rows;

interface ResponseRow {
  status_code: number | null;
  content: string | null;
  timed_out: boolean | null;
  error_msg: string | null;
}

const responseOf = async (id: string) =>
  (
    await query<ResponseRow>(
      'select status_code, content, timed_out, error_msg from net._http_response where id = $1',
      [id],
    )
  )[0];

async function request(sql: string, values: unknown[] = []): Promise<string> {
  const [row] = await query<{ id: string }>(`select ${sql} as id`, values);
  return (row as { id: string }).id;
}

const webhookFor = (item: string) => (received: { path: string; body: string }) =>
  received.path === '/hooks/orders' && received.body.includes(`"item": "${item}"`);

describe('pg_net and Database Webhooks on the local stack', () => {
  it('posts the hosted-shaped payload {type, table, schema, record, old_record} on insert and update', async () => {
    const [order] = await query<{ id: string }>(
      `insert into public.orders (item) values ('coffee') returning id::text`,
    );
    const inserted = await receiver.waitFor(webhookFor('coffee'));
    expect(inserted.method).toBe('POST');
    expect(inserted.headers['content-type']).toBe('application/json');
    expect(inserted.headers['user-agent']).toMatch(/^pg_net\//);
    expect(JSON.parse(inserted.body)).toEqual({
      type: 'INSERT',
      table: 'orders',
      schema: 'public',
      record: { id: Number(order?.id), item: 'coffee', status: 'new' },
      old_record: null,
    });

    await query(`update public.orders set status = 'done' where id = $1`, [order?.id]);
    const updated = await receiver.waitFor(
      (received) => webhookFor('coffee')(received) && received.body.includes('UPDATE'),
    );
    expect(JSON.parse(updated.body)).toMatchObject({
      type: 'UPDATE',
      record: { status: 'done' },
      old_record: { status: 'new' },
    });

    // Each call is in the hooks audit table, and its response in net._http_response.
    const hooks = await query<{ hook_name: string; request_id: string }>(
      `select hook_name, request_id::text from supabase_functions.hooks order by id`,
    );
    expect(hooks.map((hook) => hook.hook_name)).toEqual(['orders_webhook', 'orders_webhook']);
    await expect
      .poll(() => responseOf((hooks[0] as { request_id: string }).request_id))
      .toMatchObject({
        status_code: 200,
        content: '{"ok":true}',
        timed_out: false,
        error_msg: null,
      });
  });

  it('sends nothing for a rolled-back insert (a committed sentinel after it arrives alone)', async () => {
    const client = await stack.db.connect();
    try {
      await client.query('begin');
      await client.query(`insert into public.orders (item) values ('rolled-back')`);
      await client.query('rollback');
    } finally {
      client.release();
    }
    await query(`insert into public.orders (item) values ('sentinel-after-rollback')`);
    await receiver.waitFor(webhookFor('sentinel-after-rollback'));
    expect(receiver.received.filter(webhookFor('rolled-back'))).toEqual([]);
    await expect
      .poll(
        async () =>
          (await query<{ queued: number }>('select count(*)::int as queued from net.http_request_queue'))[0],
      )
      .toEqual({ queued: 0 });
  });

  it("records an unreachable URL's failure in error_msg and logs one line naming the request", async () => {
    const closedPort = await findFreePort();
    const id = await request(`net.http_get('http://127.0.0.1:${closedPort}/nobody-home')`);
    await expect
      .poll(() => responseOf(id))
      .toEqual({
        status_code: null,
        content: null,
        timed_out: false,
        error_msg: "Couldn't connect to server",
      });
    expect(logLines).toContainEqual(
      expect.stringMatching(
        new RegExp(`warn: request ${id} \\(GET .*/nobody-home\\) failed: Couldn't connect to server$`),
      ),
    );
    const unresolved = await request(`net.http_get('http://no-such-host.invalid/')`);
    await expect
      .poll(() => responseOf(unresolved))
      .toMatchObject({ error_msg: "Couldn't resolve host name" });
  });

  it('sends requests concurrently and honours each timeout_milliseconds', async () => {
    const ids = (
      await query<{ id: string }>(
        `select net.http_get($1 || '/hold/' || n, timeout_milliseconds := 500)::text as id from generate_series(1, 5) n`,
        [receiver.url],
      )
    ).map((row) => row.id);
    // All five are open at the receiver at once, before any is answered.
    await expect.poll(() => receiver.heldCount, { timeout: 5_000 }).toBe(5);
    for (const id of ids) {
      await expect
        .poll(() => responseOf(id), { timeout: 5_000 })
        .toMatchObject({
          status_code: null,
          timed_out: true,
          error_msg: expect.stringMatching(/^Timeout of 500 ms reached\. Total time: [\d.]+ ms \(DNS time: /),
        });
    }
    receiver.releaseHeld();
  });

  it('reaches the local API at the names migrations for `supabase start` use: kong:8000, host.docker.internal:54321, and the stack URL', async () => {
    const headers = JSON.stringify({
      apikey: stack.keys.serviceRoleKey,
      Authorization: `Bearer ${stack.keys.serviceRoleKey}`,
    });
    const bases = ['http://kong:8000', 'http://host.docker.internal:54321', stack.apiUrl];
    const ids = await Promise.all(
      bases.map((base) =>
        request(`net.http_get($1, headers := $2::jsonb)`, [
          `${base}/rest/v1/orders?select=item&item=eq.coffee`,
          headers,
        ]),
      ),
    );
    for (const id of ids) {
      await expect
        .poll(() => responseOf(id))
        .toMatchObject({ status_code: 200, content: '[{"item":"coffee"}]' });
    }
  });

  it('sends net.http_delete with its url-encoded params and JSON body', async () => {
    await request(`net.http_delete($1, params := '{"q": "a b&c"}', body := '{"reason": "cleanup"}')`, [
      `${receiver.url}/things/7`,
    ]);
    const deleted = await receiver.waitFor((received) => received.path.startsWith('/things/7'));
    expect(deleted).toMatchObject({
      method: 'DELETE',
      path: '/things/7?q=a%20b%26c',
      body: '{"reason": "cleanup"}',
    });
  });
});
