/** One text message Auth sent, as the SMS catcher keeps it. */
export interface CaughtSms {
  id: string;
  /** The number as Auth sends to it: E.164 digits without the `+`, as auth.users.phone holds it. */
  to: string;
  body: string;
  /** `sms` or `whatsapp`, as the sign-in asked. */
  channel: string;
  created_at: string;
}

/**
 * Caught text messages live in memory only, newest first; the oldest are dropped past
 * `limit` so a long-running stack cannot grow without bound (as the mail catcher's store).
 */
export class SmsStore {
  private messages: CaughtSms[] = [];
  private sequence = 0;
  constructor(private readonly limit = 500) {}

  add(message: { to: string; body: string; channel: string }): CaughtSms {
    this.sequence += 1;
    const caught: CaughtSms = {
      id: `${Date.now().toString(36)}${this.sequence.toString(36).padStart(4, '0')}`,
      to: message.to,
      body: message.body,
      channel: message.channel,
      created_at: new Date().toISOString(),
    };
    this.messages.unshift(caught);
    if (this.messages.length > this.limit) this.messages.length = this.limit;
    return caught;
  }

  /** Newest first; only those to `to` (with or without its `+`) when given. */
  list(to?: string): readonly CaughtSms[] {
    if (!to) return this.messages;
    const number = to.replace(/^\+/, '');
    return this.messages.filter((message) => message.to === number);
  }

  get(id: string): CaughtSms | undefined {
    return this.messages.find((message) => message.id === id);
  }

  deleteAll(): void {
    this.messages = [];
  }
}
