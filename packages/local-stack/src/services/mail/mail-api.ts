import { Hono } from 'hono';
import type { CaughtMessage, MessageStore } from './message-store.ts';

/** Summary fields of Mailpit's message list. */
function summary(message: CaughtMessage) {
  const { Text: _text, HTML: _html, ...rest } = message;
  return { ...rest, Bcc: [], ReplyTo: [], Tags: [], Attachments: 0 };
}

function listing(messages: readonly CaughtMessage[], total: number, start: number, limit: number) {
  const page = messages.slice(start, start + limit);
  return {
    total,
    unread: messages.filter((message) => !message.Read).length,
    count: page.length,
    messages_count: messages.length,
    start,
    tags: [],
    messages: page.map(summary),
  };
}

function pageParams(query: (name: string) => string | undefined): { start: number; limit: number } {
  const start = Number.parseInt(query('start') ?? '0', 10);
  const limit = Number.parseInt(query('limit') ?? '50', 10);
  return {
    start: Number.isFinite(start) && start > 0 ? start : 0,
    limit: Number.isFinite(limit) && limit > 0 ? limit : 50,
  };
}

const escapeHtml = (value: string) => value.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);

function inboxPage(messages: readonly CaughtMessage[]): string {
  const rows = messages
    .map(
      (message) =>
        `<tr><td>${escapeHtml(message.Created)}</td><td>${escapeHtml(message.To.map((to) => to.Address).join(', '))}</td>` +
        `<td><a href="view/${encodeURIComponent(message.ID)}">${escapeHtml(message.Subject || '(no subject)')}</a></td></tr>`,
    )
    .join('');
  return `<!doctype html><html><head><meta charset="utf-8"><title>groundwork mail</title>
<style>body{font:14px system-ui;margin:2rem}table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #ddd;padding:.4rem;text-align:left}</style>
</head><body><h1>Caught mail (${messages.length})</h1>
<table><tr><th>Received</th><th>To</th><th>Subject</th></tr>${rows}</table></body></html>`;
}

function messagePage(message: CaughtMessage): string {
  // The HTML body is shown in a sandboxed frame so mail markup cannot touch this page.
  const body = message.HTML
    ? `<iframe sandbox style="width:100%;height:70vh;border:1px solid #ddd" srcdoc="${escapeHtml(message.HTML)}"></iframe>`
    : `<pre>${escapeHtml(message.Text)}</pre>`;
  return `<!doctype html><html><head><meta charset="utf-8"><title>${escapeHtml(message.Subject)}</title>
<style>body{font:14px system-ui;margin:2rem}</style></head><body><p><a href="../">&larr; inbox</a></p>
<h1>${escapeHtml(message.Subject)}</h1><p>From ${escapeHtml(message.From.Address)} to ${escapeHtml(
    message.To.map((to) => to.Address).join(', '),
  )}</p>${body}</body></html>`;
}

/** Mailpit's HTTP API (the parts used to read and clear mail) and a small inbox page. */
export function createMailApi(store: MessageStore): Hono {
  const app = new Hono();

  app.get('/api/v1/messages', (c) => {
    const { start, limit } = pageParams((name) => c.req.query(name));
    return c.json(listing(store.list(), store.list().length, start, limit));
  });

  app.delete('/api/v1/messages', async (c) => {
    const body = (await c.req.json().catch(() => ({}))) as { IDs?: unknown };
    const ids = Array.isArray(body.IDs) ? body.IDs.filter((id): id is string => typeof id === 'string') : [];
    if (ids.length > 0) store.delete(ids);
    else store.deleteAll();
    return c.text('ok');
  });

  app.get('/api/v1/search', (c) => {
    const query = c.req.query('query') ?? '';
    const { start, limit } = pageParams((name) => c.req.query(name));
    const found = store.search(query);
    return c.json(listing(found, store.list().length, start, limit));
  });

  app.get('/api/v1/message/:id', (c) => {
    const id = c.req.param('id');
    const message = id === 'latest' ? store.list()[0] : store.get(id);
    if (!message) return c.text('message not found', 404);
    message.Read = true;
    return c.json({
      ...summary(message),
      Date: message.Created,
      ReturnPath: message.From.Address,
      Text: message.Text,
      HTML: message.HTML,
      Inline: [],
      Attachments: [],
    });
  });

  app.get('/', (c) => c.html(inboxPage(store.list())));
  app.get('/view/:id', (c) => {
    const message = store.get(c.req.param('id'));
    return message ? c.html(messagePage(message)) : c.text('message not found', 404);
  });

  app.notFound((c) => c.text('not found', 404));
  return app;
}
