import { describe, expect, it } from 'vitest';
import { formatStatus, formatStatusPretty, type StackStatus } from './status.ts';

const status = new Proxy({} as StackStatus, {
  get: (_target, name) => (name === 'API_URL' ? 'http://127.0.0.1:54321' : `<${String(name)}>`),
  ownKeys: () => ['API_URL', 'MAILPIT_URL'],
  getOwnPropertyDescriptor: () => ({ enumerable: true, configurable: true }),
});

describe('status output', () => {
  it('names the SMS catcher after the Mailpit URL in the human-readable status', () => {
    const lines = formatStatusPretty(status).split('\n');
    const mailpit = lines.findIndex((line) => line.trim().startsWith('Mailpit URL:'));
    expect(lines[mailpit + 1]?.trim()).toBe('SMS catcher URL: http://127.0.0.1:54321/__sms');
  });

  it('keeps the machine-readable status to the variables `supabase status -o` prints', () => {
    expect(formatStatus(status, 'env')).not.toContain('__sms');
  });
});
