import { connect } from 'node:net';
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../logger.ts';
import { findFreePort } from '../../processes/ports.ts';
import { type RunningMailCatcher, startMailCatcher } from './index.ts';

let catcher: RunningMailCatcher;
let smtpPort: number;
beforeAll(async () => {
  // Port 0: the OS picks both as they are bound, and the catcher says which.
  catcher = await startMailCatcher({ host: '127.0.0.1', smtpPort: 0, httpPort: 0, log: silentLogger });
  smtpPort = catcher.smtpPort;
});

it('binds port 0 to ports of its own and names them', () => {
  expect(catcher.smtpPort).toBeGreaterThan(0);
  expect(catcher.httpPort).toBeGreaterThan(0);
  expect(catcher.url).toBe(`http://127.0.0.1:${catcher.httpPort}`);
});
afterAll(async () => {
  await catcher?.close();
});

async function send(to: string, subject: string, html: string) {
  const transport = nodemailer.createTransport({ host: '127.0.0.1', port: smtpPort, ignoreTLS: true });
  await transport.sendMail({
    from: 'Admin <admin@email.com>',
    to,
    subject,
    html,
    text: html.replace(/<[^>]+>/g, ''),
  });
  transport.close();
}

describe('mail catcher (Mailpit API)', () => {
  it('catches mail over SMTP and lists it newest first with Mailpit fields', async () => {
    await send('one@example.com', 'First', '<p>hello <b>one</b></p>');
    await send('two@example.com', 'Second', '<p>hello two</p>');
    const response = await fetch(`${catcher.url}/api/v1/messages`);
    const list = await response.json();
    expect(list.total).toBe(2);
    expect(list.messages[0]).toMatchObject({
      Subject: 'Second',
      From: { Name: 'Admin', Address: 'admin@email.com' },
      To: [{ Name: '', Address: 'two@example.com' }],
      Snippet: 'hello two',
    });
    expect(list.messages[0].Created).toMatch(/^\d{4}-/);
  });

  it('returns one message with Text and HTML, and searches by recipient', async () => {
    const found = await (
      await fetch(`${catcher.url}/api/v1/search?query=${encodeURIComponent('to:one@example.com')}`)
    ).json();
    expect(found.messages).toHaveLength(1);
    const message = await (await fetch(`${catcher.url}/api/v1/message/${found.messages[0].ID}`)).json();
    expect(message.HTML).toContain('<b>one</b>');
    expect(message.Text).toContain('hello one');
    expect((await fetch(`${catcher.url}/api/v1/message/nope`)).status).toBe(404);
  });

  it('shows an inbox page and deletes all messages', async () => {
    const page = await (await fetch(`${catcher.url}/`)).text();
    expect(page).toContain('First');
    expect((await fetch(`${catcher.url}/api/v1/messages`, { method: 'DELETE' })).status).toBe(200);
    expect((await (await fetch(`${catcher.url}/api/v1/messages`)).json()).total).toBe(0);
  });
});

describe('mail catcher ports', () => {
  it('names the port when it is already taken', async () => {
    await expect(
      startMailCatcher({ host: '127.0.0.1', smtpPort, httpPort: await findFreePort(), log: silentLogger }),
    ).rejects.toMatchObject({ code: 'port_in_use', message: expect.stringContaining(String(smtpPort)) });
  });
});

describe('mail catcher SMTP server, loaded with the first connection', () => {
  it('survives a client that hangs up before the SMTP server has loaded, then catches the next mail', async () => {
    const fresh = await startMailCatcher({ host: '127.0.0.1', smtpPort: 0, httpPort: 0, log: silentLogger });
    try {
      // Connected and reset at once: the socket is gone before smtp-server takes it over.
      await new Promise<void>((resolve, reject) => {
        const socket = connect(fresh.smtpPort, '127.0.0.1', () => {
          socket.resetAndDestroy();
          resolve();
        });
        socket.once('error', reject);
      });
      const transport = nodemailer.createTransport({
        host: '127.0.0.1',
        port: fresh.smtpPort,
        ignoreTLS: true,
      });
      await transport.sendMail({
        from: 'a@example.com',
        to: 'after@example.com',
        subject: 'After',
        text: 'x',
      });
      transport.close();
      const list = await (await fetch(`${fresh.url}/api/v1/messages`)).json();
      expect(list.messages.map((message: { Subject: string }) => message.Subject)).toEqual(['After']);
    } finally {
      await fresh.close();
    }
  });
});
