import { Hono } from 'hono';
import type { ServiceEnv } from '../caller.ts';
import { MOUNTS } from '../mounts.ts';
import type { Service } from '../service.ts';
import { SmsStore } from './message-store.ts';
import { createSmsApi } from './sms-api.ts';

/**
 * The local SMS catcher: Auth's text messages (phone sign-up, sign-in and phone-change
 * codes) end up here instead of at an SMS provider, readable in a web page and a JSON API
 * under the gateway (`MOUNTS.sms`). Nothing like it exists in `supabase start` or on hosted,
 * where the configured provider (Twilio, MessageBird, Textlocal, Vonage) delivers them.
 */
export async function createSmsCatcherService(): Promise<Service> {
  const store = new SmsStore();
  const app = new Hono<ServiceEnv>();
  app.route('/', createSmsApi(store, MOUNTS.sms.path));
  return { mount: MOUNTS.sms, app, close: async () => {} };
}
