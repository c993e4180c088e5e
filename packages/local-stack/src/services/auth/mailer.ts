import type { Transporter } from 'nodemailer';
import type { Logger } from '../../logger.ts';
import { AuthError } from './error-codes.ts';
import type { AuthRateLimits } from './rate-limits.ts';
import type { SmtpTarget } from './settings.ts';

export interface OutgoingMail {
  to: string;
  subject: string;
  html: string;
}

export interface Mailer {
  send(mail: OutgoingMail): Promise<void>;
  close(): void;
}

/**
 * Sends Auth mail over SMTP: to `[auth.email.smtp]` when set, else to the local mail catcher.
 * nodemailer (over a hundred modules) is loaded with the first mail, not when the stack starts:
 * an idle stack, and one whose users never get mail, keeps it out of its memory.
 */
export function createMailer(options: {
  smtp: SmtpTarget;
  sender: { address: string; name: string };
  limits: AuthRateLimits;
  log: Logger;
}): Mailer {
  let transport: Promise<Transporter> | undefined;
  const transportOf = (): Promise<Transporter> => {
    transport ??= import('nodemailer').then(({ default: nodemailer }) =>
      nodemailer.createTransport({
        host: options.smtp.host,
        port: options.smtp.port,
        secure: options.smtp.port === 465,
        ignoreTLS: options.smtp.user === undefined,
        ...(options.smtp.user ? { auth: { user: options.smtp.user, pass: options.smtp.pass ?? '' } } : {}),
      }),
    );
    return transport;
  };
  return {
    async send(mail) {
      options.limits.checkEmailSent();
      try {
        await (await transportOf()).sendMail({
          from: { name: options.sender.name, address: options.sender.address },
          to: mail.to,
          subject: mail.subject,
          html: mail.html,
        });
      } catch (error) {
        options.log.error(`sending mail to ${mail.to}: ${(error as Error).message}`);
        throw new AuthError('unexpected_failure', 'Error sending email', { cause: error });
      }
    },
    // A transport that failed to load has nothing to close (its send already reported why).
    close: () =>
      void transport?.then(
        (open) => open.close(),
        () => undefined,
      ),
  };
}
