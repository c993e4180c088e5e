// @ts-types="npm:@types/nodemailer@^8"
import nodemailer from 'nodemailer';
import { smtpSettings } from './env.ts';
import { FunctionError } from './errors.ts';

export interface OutgoingMail {
  to: string;
  subject: string;
  text: string;
  html: string;
}

/** Sends one email over SMTP (the local mail catcher, or the project's provider on hosted). */
export async function sendMail(mail: OutgoingMail): Promise<void> {
  const smtp = smtpSettings();
  const transport = nodemailer.createTransport({
    host: smtp.host,
    port: smtp.port,
    // Port 465 speaks TLS from the first byte; others (2525, the local catcher) upgrade with STARTTLS when offered.
    secure: smtp.port === 465,
    ...(smtp.user ? { auth: { user: smtp.user, pass: smtp.pass ?? '' } } : {}),
  });
  try {
    await transport.sendMail({ from: smtp.sender, ...mail });
  } catch (error) {
    console.error('sending mail failed:', error);
    throw new FunctionError('email_not_sent', 'The invitation email could not be sent; try again later');
  } finally {
    transport.close();
  }
}
