import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyWebhook, WebhookVerificationError, webhooksApi } from '../src/webhooks.ts';
import { connectDatabase, createTeam, failureOf, type Team } from './support/team.ts';

// webhooksApi(gw) end to end: endpoints made through the SDK, deliveries sent by the stack's
// dispatcher to a real receiver here, checked with verifyWebhook from @groundwork/sdk/webhooks.

interface Received {
  headers: http.IncomingHttpHeaders;
  body: string;
}

let db: pg.Client;
let team: Team;
const received: Received[] = [];
const answer = 200;
const server = http.createServer((request, response) => {
  const chunks: Buffer[] = [];
  request.on('data', (chunk: Buffer) => chunks.push(chunk));
  request.on('end', () => {
    received.push({ headers: request.headers, body: Buffer.concat(chunks).toString('utf8') });
    response.writeHead(answer).end(answer === 200 ? 'thanks' : 'nope');
  });
});
let url = '';

async function arrived(match: (r: Received) => boolean): Promise<Received> {
  await expect.poll(() => received.some(match), { timeout: 20_000 }).toBe(true);
  return received.find(match) as Received;
}

beforeAll(async () => {
  db = await connectDatabase();
  team = await createTeam(db);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as { port: number }).port}/hooks`;
});

afterAll(async () => {
  await db.query('delete from public.webhook_endpoints where workspace_id = $1', [team.workspace.id]);
  await db.end();
  server.closeAllConnections();
  server.close();
});

describe('webhooksApi(gw)', () => {
  it('creates an endpoint (secret once), delivers verifiable events, lists deliveries and attempts', async () => {
    const gw = { webhooks: webhooksApi(team.admin.gw), projects: team.admin.gw.projects };
    const endpoint = await gw.webhooks.createEndpoint({
      workspace_id: team.workspace.id,
      url,
      description: 'CI',
      event_types: ['project.*', 'webhook.test'],
    });
    expect(endpoint.secret).toMatch(/^whsec_/);
    expect(await gw.webhooks.listEndpoints(team.workspace.id)).toEqual([
      expect.objectContaining({ id: endpoint.id, url, description: 'CI', enabled: true }),
    ]);
    expect(JSON.stringify(await gw.webhooks.listEndpoints(team.workspace.id))).not.toContain(endpoint.secret);

    const project = await gw.projects.create({ workspace_id: team.workspace.id, name: 'Hooks', key: 'HK' });
    const delivery = await arrived((r) => r.body.includes('"project.created"'));
    const event = verifyWebhook<{ object: { id: string; name: string } }>(
      delivery.body,
      delivery.headers as Record<string, string>,
      endpoint.secret,
    );
    expect(event).toMatchObject({
      type: 'project.created',
      data: { object: { id: project.id, name: 'Hooks' } },
    });
    // A fetch-style Headers object works too; a changed body does not verify.
    const headers = new Headers(delivery.headers as Record<string, string>);
    expect(verifyWebhook(delivery.body, headers, endpoint.secret).type).toBe('project.created');
    expect(() => verifyWebhook(delivery.body.replace('Hooks', 'Hacks'), headers, endpoint.secret)).toThrow(
      WebhookVerificationError,
    );

    await expect
      .poll(async () => (await gw.webhooks.listDeliveries({ endpoint_id: endpoint.id }))[0]?.status)
      .toBe('succeeded');
    const [listed] = await gw.webhooks.listDeliveries({ endpoint_id: endpoint.id, status: 'succeeded' });
    expect(listed).toMatchObject({ event_type: 'project.created', attempts: 1, last_status_code: 200 });
    const attempts = await gw.webhooks.listAttempts(listed?.id as string);
    expect(attempts).toEqual([expect.objectContaining({ status_code: 200, response_excerpt: 'thanks' })]);
    expect((await gw.webhooks.eventTypes()).map((t) => t.type)).toContain('task.moved');
  });

  it('rotates, sends a test event signed by both secrets, replays, disables and deletes', async () => {
    const gw = { webhooks: webhooksApi(team.admin.gw), projects: team.admin.gw.projects };
    const endpoint = await gw.webhooks.createEndpoint({
      workspace_id: team.workspace.id,
      url,
      event_types: ['webhook.test'],
    });
    const { secret } = await gw.webhooks.rotateSecret(endpoint.id);
    const test = await gw.webhooks.sendTest(endpoint.id);
    const delivery = await arrived((r) => r.headers['webhook-id'] === test.event_id);
    expect(verifyWebhook(delivery.body, delivery.headers as Record<string, string>, secret).type).toBe(
      'webhook.test',
    );
    expect(
      verifyWebhook(delivery.body, delivery.headers as Record<string, string>, endpoint.secret).type,
    ).toBe('webhook.test');

    const before = received.length;
    await expect.poll(async () => (await gw.webhooks.listAttempts(test.id)).length).toBe(1);
    await gw.webhooks.replay(test.id);
    await expect
      .poll(() => received.slice(before).filter((r) => r.headers['webhook-id'] === test.event_id).length)
      .toBe(1);

    const disabled = await gw.webhooks.updateEndpoint(endpoint.id, { enabled: false });
    expect(disabled).toMatchObject({ enabled: false, disabled_reason: 'disabled by a manager' });
    expect(await failureOf(() => gw.webhooks.sendTest(endpoint.id))).toMatchObject({
      code: 'conflict',
      status: 409,
    });
    await gw.webhooks.deleteEndpoint(endpoint.id);
    expect((await gw.webhooks.listEndpoints(team.workspace.id)).map((e) => e.id)).not.toContain(endpoint.id);
  });

  it('members and outsiders can neither see nor manage endpoints; bad input fails before a round trip', async () => {
    const endpoint = await webhooksApi(team.admin.gw).createEndpoint({
      workspace_id: team.workspace.id,
      url,
      event_types: ['webhook.test'],
    });
    for (const person of [team.member, team.outsider]) {
      expect(await webhooksApi(person.gw).listEndpoints(team.workspace.id)).toEqual([]);
      expect(
        await failureOf(() =>
          webhooksApi(person.gw).createEndpoint({ workspace_id: team.workspace.id, url }),
        ),
      ).toMatchObject({ code: 'forbidden' });
      for (const id of [endpoint.id, randomUUID()]) {
        expect(await failureOf(() => webhooksApi(person.gw).rotateSecret(id))).toMatchObject({
          code: 'not_found',
          status: 404,
        });
        expect(
          await failureOf(() => webhooksApi(person.gw).updateEndpoint(id, { enabled: false })),
        ).toMatchObject({
          code: 'not_found',
        });
      }
    }
    expect(
      await failureOf(() =>
        webhooksApi(team.admin.gw).createEndpoint({ workspace_id: team.workspace.id, url: 'ftp://x' }),
      ),
    ).toMatchObject({ code: 'validation_failed' });
  });
});
