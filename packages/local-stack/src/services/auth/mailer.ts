import nodemailer, { type Transporter } from 'nodemailer';
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

/** Sends Auth mail over SMTP: to `[auth.email.smtp]` when set, else to the local mail catcher. */
export function createMailer(options: {
  smtp: SmtpTarget;
  sender: { address: string; name: string };
  limits: AuthRateLimits;
  log: Logger;
}): Mailer {
  const transport: Transporter = nodemailer.createTransport({
    host: options.smtp.host,
    port: options.smtp.port,
    secure: options.smtp.port === 465,
    ignoreTLS: options.smtp.user === undefined,
    ...(options.smtp.user ? { auth: { user: options.smtp.user, pass: options.smtp.pass ?? '' } } : {}),
  });
  return {
    async send(mail) {
      options.limits.checkEmailSent();
      try {
        await transport.sendMail({
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
    close: () => transport.close(),
  };
}
