import { SMTPServer } from 'smtp-server';
import type { Logger } from '../../logger.ts';
import { type MessageStore, toCaughtMessage } from './message-store.ts';

/** Largest message accepted; Supabase Auth mail is a few KB. */
const MAX_MESSAGE_BYTES = 10 * 1024 * 1024;

export interface SmtpListener {
  /** The port bound (the one asked for, or the OS's pick for 0). */
  port: number;
  close(): Promise<void>;
}

/** An SMTP server that accepts any sender, recipient and credentials, and keeps what it gets. */
export async function listenSmtp(options: {
  host: string;
  port: number;
  store: MessageStore;
  log: Logger;
}): Promise<SmtpListener> {
  let sequence = 0;
  const server = new SMTPServer({
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
  await new Promise<void>((resolve, reject) => {
    const onError = (error: Error) => reject(error);
    server.server.once('error', onError);
    server.listen(options.port, options.host, () => {
      server.server.off('error', onError);
      resolve();
    });
  });
  const address = server.server.address();
  return {
    port: typeof address === 'object' && address ? address.port : options.port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
