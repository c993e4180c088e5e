import type { ParsedMail } from 'mailparser';

export interface MailAddress {
  Name: string;
  Address: string;
}

/** One caught message, with the field names Mailpit's API uses. */
export interface CaughtMessage {
  ID: string;
  MessageID: string;
  From: MailAddress;
  To: MailAddress[];
  Cc: MailAddress[];
  Subject: string;
  Created: string;
  Size: number;
  Text: string;
  HTML: string;
  Snippet: string;
  Read: boolean;
}

function addresses(field: ParsedMail['to']): MailAddress[] {
  const groups = field === undefined ? [] : Array.isArray(field) ? field : [field];
  return groups.flatMap((group) =>
    group.value.map((entry) => ({ Name: entry.name ?? '', Address: entry.address ?? '' })),
  );
}

function snippetOf(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > 250 ? `${flat.slice(0, 250)}...` : flat;
}

export function toCaughtMessage(id: string, mail: ParsedMail, size: number): CaughtMessage {
  const text = mail.text ?? '';
  const html = typeof mail.html === 'string' ? mail.html : '';
  return {
    ID: id,
    MessageID: mail.messageId ?? id,
    From: addresses(mail.from)[0] ?? { Name: '', Address: '' },
    To: addresses(mail.to),
    Cc: addresses(mail.cc),
    Subject: mail.subject ?? '',
    Created: (mail.date ?? new Date()).toISOString(),
    Size: size,
    Text: text,
    HTML: html,
    Snippet: snippetOf(text || html.replace(/<[^>]*>/g, ' ')),
    Read: false,
  };
}

/**
 * Caught mail lives in memory only, newest first; the oldest are dropped past `limit`
 * so a long-running stack cannot grow without bound.
 */
export class MessageStore {
  private messages: CaughtMessage[] = [];
  constructor(private readonly limit = 500) {}

  add(message: CaughtMessage): void {
    this.messages.unshift(message);
    if (this.messages.length > this.limit) this.messages.length = this.limit;
  }

  list(): readonly CaughtMessage[] {
    return this.messages;
  }

  get(id: string): CaughtMessage | undefined {
    return this.messages.find((message) => message.ID === id);
  }

  deleteAll(): void {
    this.messages = [];
  }

  delete(ids: readonly string[]): void {
    const doomed = new Set(ids);
    this.messages = this.messages.filter((message) => !doomed.has(message.ID));
  }

  /** Mailpit's search syntax, the parts tests use: `to:`, `from:`, `subject:` and free words. */
  search(query: string): CaughtMessage[] {
    const terms = query.match(/(?:[^\s"]+|"[^"]*")+/g) ?? [];
    return this.messages.filter((message) =>
      terms.every((term) => {
        const [field, ...rest] = term.split(':');
        const value = (rest.length > 0 ? rest.join(':') : term).replace(/"/g, '').toLowerCase();
        const within = (haystack: string) => haystack.toLowerCase().includes(value);
        switch (rest.length > 0 ? field?.toLowerCase() : undefined) {
          case 'to':
            return message.To.some((to) => within(`${to.Name} ${to.Address}`));
          case 'from':
            return within(`${message.From.Name} ${message.From.Address}`);
          case 'subject':
            return within(message.Subject);
          default:
            return within(`${message.Subject} ${message.Text} ${message.HTML}`);
        }
      }),
    );
  }
}
