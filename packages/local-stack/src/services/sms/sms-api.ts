import { Hono } from 'hono';
import type { SmsStore } from './message-store.ts';

const escapeHtml = (value: string) => value.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);

function inboxPage(store: SmsStore, basePath: string): string {
  const messages = store.list();
  const rows = messages
    .map(
      (message) =>
        `<tr><td>${escapeHtml(message.created_at)}</td><td>+${escapeHtml(message.to)}</td>` +
        `<td>${escapeHtml(message.channel)}</td><td>${escapeHtml(message.body)}</td></tr>`,
    )
    .join('');
  return `<!doctype html><html><head><meta charset="utf-8"><title>groundwork sms</title>
<style>body{font:14px system-ui;margin:2rem}table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #ddd;padding:.4rem;text-align:left}</style>
</head><body><h1>Caught text messages (${messages.length})</h1>
<p>Messages Auth sent to phones (sign-up, sign-in, phone change codes). Newest first; <a href="${escapeHtml(basePath)}/api/v1/messages">JSON</a>.</p>
<table><tr><th>Sent</th><th>To</th><th>Channel</th><th>Message</th></tr>${rows}</table></body></html>`;
}

/**
 * The SMS catcher's HTTP side: a page listing what was sent, a JSON API to read and clear
 * it, and the endpoint Auth posts each message to (its stand-in for Twilio and the rest).
 * The page lives at `basePath` itself (the gateway mount, `/__sms`), so its links are absolute.
 */
export function createSmsApi(store: SmsStore, basePath: string): Hono {
  const app = new Hono();

  app.get('/api/v1/messages', (c) => {
    const messages = store.list(c.req.query('to'));
    return c.json({ total: messages.length, messages });
  });

  app.get('/api/v1/messages/:id', (c) => {
    const id = c.req.param('id');
    const message = id === 'latest' ? store.list(c.req.query('to'))[0] : store.get(id);
    return message ? c.json(message) : c.json({ error: 'message not found' }, 404);
  });

  app.delete('/api/v1/messages', (c) => {
    store.deleteAll();
    return c.body(null, 204);
  });

  app.post('/api/v1/messages', async (c) => {
    const body = (await c.req.json().catch(() => undefined)) as Record<string, unknown> | undefined;
    const to = typeof body?.to === 'string' ? body.to.replace(/^\+/, '') : '';
    const text = typeof body?.body === 'string' ? body.body : '';
    const channel = typeof body?.channel === 'string' ? body.channel : 'sms';
    if (!/^\d{2,15}$/.test(to) || text === '') {
      return c.json({ error: 'expected {"to": "<E.164 number>", "body": "<text>"}' }, 400);
    }
    return c.json(store.add({ to, body: text, channel }), 201);
  });

  app.get('/', (c) => c.html(inboxPage(store, basePath)));
  app.notFound((c) => c.json({ error: 'not found' }, 404));
  return app;
}
