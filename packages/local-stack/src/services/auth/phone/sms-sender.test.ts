import { type ServerType, serve } from '@hono/node-server';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MOUNTS } from '../../mounts.ts';
import { SmsStore } from '../../sms/message-store.ts';
import { createSmsApi } from '../../sms/sms-api.ts';
import { createSmsSender } from './sms-sender.ts';

// A real SMS catcher API on its own port, mounted where the gateway puts it.
const store = new SmsStore();
let server: ServerType;
let apiUrl: string;
beforeAll(async () => {
  const app = new Hono();
  app.route(MOUNTS.sms.path, createSmsApi(store, MOUNTS.sms.path));
  await new Promise<void>((resolve) => {
    server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info) => {
      apiUrl = `http://127.0.0.1:${info.port}`;
      resolve();
    });
  });
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('SMS sender', () => {
  it('delivers to the SMS catcher and returns its message id', async () => {
    const sender = createSmsSender(apiUrl, 10);
    const id = await sender.send({ to: '15551230000', body: 'Your code is 123456', channel: 'sms' });
    expect(store.get(id)).toMatchObject({ to: '15551230000', body: 'Your code is 123456', channel: 'sms' });
  });

  it('refuses past [auth.rate_limit] sms_sent for the hour, sending nothing more', async () => {
    const sender = createSmsSender(apiUrl, 2);
    const to = '15551230001';
    await sender.send({ to, body: 'one', channel: 'sms' });
    await sender.send({ to, body: 'two', channel: 'sms' });
    await expect(sender.send({ to, body: 'three', channel: 'sms' })).rejects.toMatchObject({
      code: 'over_sms_send_rate_limit',
      status: 429,
      message: 'SMS rate limit exceeded',
    });
    expect(store.list(to).map((message) => message.body)).toEqual(['two', 'one']);
  });

  it('reports a catcher that cannot be reached as sms_send_failed', async () => {
    const sender = createSmsSender('http://127.0.0.1:1', 10);
    await expect(sender.send({ to: '15551230002', body: 'lost', channel: 'sms' })).rejects.toMatchObject({
      code: 'sms_send_failed',
      status: 500,
      message: expect.stringMatching(/^Error sending confirmation OTP to provider: /),
    });
  });
});
