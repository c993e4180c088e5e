/** The stack's mail catcher, read over its Mailpit-compatible HTTP API, as a person reads their inbox. */

interface Summary {
  ID: string;
  Subject: string;
}

export interface Mail {
  Subject: string;
  Text: string;
  HTML: string;
}

/** The newest mail to `address` whose subject matches, waiting up to `timeoutMs` for it to arrive. */
export async function mailTo(
  mailUrl: string,
  address: string,
  subject: RegExp,
  timeoutMs = 15_000,
): Promise<Mail> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const response = await fetch(`${mailUrl}/api/v1/search?query=${encodeURIComponent(`to:${address}`)}`);
    const { messages } = (await response.json()) as { messages: Summary[] };
    const found = messages.find((message) => subject.test(message.Subject));
    if (found) return (await (await fetch(`${mailUrl}/api/v1/message/${found.ID}`)).json()) as Mail;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`no mail to ${address} with a subject like ${subject}`);
}

/** The first link in a mail whose address matches `pattern` (from the HTML, else the text). */
export function linkIn(mail: Mail, pattern: RegExp): string {
  const hrefs = [...(mail.HTML ?? '').matchAll(/href="([^"]+)"/g)].map((match) =>
    (match[1] as string).replaceAll('&amp;', '&'),
  );
  const texts = [...(mail.Text ?? '').matchAll(/https?:\/\/\S+/g)].map((match) => match[0]);
  const link = [...hrefs, ...texts].find((candidate) => pattern.test(candidate));
  if (!link) throw new Error(`no link like ${pattern} in "${mail.Subject}"`);
  return link;
}
