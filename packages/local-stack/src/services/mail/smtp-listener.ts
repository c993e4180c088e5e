import { createServer } from 'node:net';
import type { SMTPServer } from 'smtp-server';
import type { Logger } from '../../logger.ts';
import { type MessageStore, toCaughtMessage } from './message-store.ts';

/** Largest message accepted; Supabase Auth mail is a few KB. */
const MAX_MESSAGE_BYTES = 10 * 1024 * 1024;

export interface SmtpListener {
  /** The port bound (the one asked for, or the OS's pick for 0). */
  port: number;
  close(): Promise<void>;
}

/**
 * An SMTP server that accepts any sender, recipient and credentials, and keeps what it gets.
 *
 * The port is held by a plain `net` server from the start, so it is bound (and a clash is
 * reported) before the stack is ready; smtp-server, with its share of nodemailer, is loaded with
 * the first connection, which it then gets through `SMTPServer#connect` (its API for sockets
 * accepted elsewhere). A stack that never sends mail keeps it out of its memory.
 */
export async function listenSmtp(options: {
  host: string;
  port: number;
  store: MessageStore;
  log: Logger;
}): Promise<SmtpListener> {
  let smtp: Promise<SMTPServer> | undefined;
  const smtpServer = () => {
    smtp ??= import('smtp-server').then(({ SMTPServer }) => createSmtpServer(SMTPServer, options));
    return smtp;
  };
  const listener = createServer((socket) => {
    // A client that hangs up while smtp-server loads must not take the process down.
    const onEarlyError = (error: Error) => options.log.warn(`smtp: ${error.message}`);
    socket.once('error', onEarlyError);
    smtpServer().then(
      (server) => {
        socket.off('error', onEarlyError);
        if (socket.destroyed) return;
        server.connect(socket);
      },
      (error: Error) => {
        options.log.warn(`smtp: could not load the SMTP server: ${error.message}`);
        socket.destroy();
      },
    );
  });
  listener.on('error', (error) => options.log.warn(`smtp: ${error.message}`));
  await new Promise<void>((resolve, reject) => {
    listener.once('error', reject);
    listener.listen(options.port, options.host, () => {
      listener.off('error', reject);
      resolve();
    });
  });
  const address = listener.address();
  return {
    port: typeof address === 'object' && address ? address.port : options.port,
    close: async () => {
      // The listener closes once every connection has ended; smtp-server ends the sessions it
      // holds (421 after its grace period), as it did when it owned the listening socket.
      const closed = new Promise<void>((resolve) => listener.close(() => resolve()));
      (await smtp?.catch(() => undefined))?.close();
      await closed;
    },
  };
}

function createSmtpServer(
  Server: typeof SMTPServer,
  options: { store: MessageStore; log: Logger },
): SMTPServer {
  let sequence = 0;
  const server = new Server({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    size: MAX_MESSAGE_BYTES,
    logger: false,
    onAuth(_auth, _session, callback) {
      callback(null, { user: 'local' });
    },
    onData(stream, _session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks);
        // Loaded with the first message: mailparser holds ~30 MB that an idle stack need not.
        import('mailparser')
          .then(({ simpleParser }) => simpleParser(raw))
          .then((mail) => {
            sequence += 1;
            const id = `${Date.now().toString(36)}${sequence.toString(36).padStart(4, '0')}`;
            options.store.add(toCaughtMessage(id, mail, raw.length));
            callback();
          })
          .catch((error: Error) => {
            options.log.warn(`could not parse a message: ${error.message}`);
            callback(error);
          });
      });
    },
  });
  server.on('error', (error) => options.log.warn(`smtp: ${error.message}`));
  return server;
}
