import { Hono } from 'hono';
import type { Caller, ServiceEnv, TokenFailure } from '../caller.ts';
import { canWrite } from './channel-authorization.ts';
import type { BroadcastPayload, ChannelHub } from './channel-hub.ts';
import type { RealtimeRuntime } from './realtime-channel.ts';

/**
 * Realtime's REST API: `POST /api/broadcast` (batch; what realtime-js falls back to
 * when a channel isn't joined), `POST /api/broadcast/:topic/events/:event` (what
 * `channel.httpSend()` calls) and `GET /api/ping`. Public messages go straight out;
 * private ones only if the caller's RLS lets them write to the topic.
 */

interface BatchMessage {
  topic: string;
  event: string;
  payload: Record<string, unknown>;
  private: boolean;
}

type BatchCheck =
  | { ok: true; messages: BatchMessage[] }
  | { ok: false; errors: Record<string, string[] | undefined> };

/**
 * The batch body's check, built with zod on the first batch request: nothing else in the stack
 * process needs zod (the CLI validates config.toml before it starts the stack), so an idle stack
 * does not hold it.
 */
let batchCheck: Promise<(body: unknown) => BatchCheck> | undefined;
function checkBatch(body: unknown): Promise<BatchCheck> {
  batchCheck ??= import('zod').then(({ z }) => {
    const schema = z.object({
      messages: z
        .array(
          z.object({
            topic: z.string().min(1),
            event: z.string().min(1),
            payload: z.record(z.string(), z.unknown()).default({}),
            private: z.boolean().default(false),
          }),
        )
        .min(1),
    });
    return (input: unknown): BatchCheck => {
      const parsed = schema.safeParse(input);
      return parsed.success
        ? { ok: true, messages: parsed.data.messages }
        : { ok: false, errors: z.flattenError(parsed.error).fieldErrors };
    };
  });
  return batchCheck.then((check) => check(body));
}

function tokenFailureMessage(failure: TokenFailure): string {
  return failure === 'expired' ? 'JWT expired' : 'invalid JWT';
}

function send(hub: ChannelHub, topic: string, isPrivate: boolean, payload: BroadcastPayload) {
  hub.broadcast(`${isPrivate ? 'private' : 'public'}:${topic}`, `realtime:${topic}`, payload);
}

export function broadcastApi(runtime: RealtimeRuntime): Hono<ServiceEnv> {
  const app = new Hono<ServiceEnv>();

  const authorized = async (caller: Caller, topic: string, isPrivate: boolean): Promise<boolean> => {
    if (!isPrivate) return true;
    return canWrite(runtime.db, { topic, role: caller.role, claims: caller.claims ?? {} }, 'broadcast');
  };

  app.get('/api/ping', (c) => c.json({ message: 'Success' }));

  app.post('/api/broadcast', async (c) => {
    const caller = c.get('caller');
    if (caller.tokenFailure) return c.json({ message: tokenFailureMessage(caller.tokenFailure) }, 401);
    const body = await c.req.json().catch(() => undefined);
    const checked = await checkBatch(body);
    if (!checked.ok) {
      return c.json(
        {
          message: 'Invalid broadcast: expected {"messages":[{"topic","event","payload"}]}',
          errors: checked.errors,
        },
        422,
      );
    }
    for (const message of checked.messages) {
      if (!(await authorized(caller, message.topic, message.private))) continue;
      send(runtime.hub, message.topic, message.private, {
        type: 'broadcast',
        event: message.event,
        payload: message.payload,
      });
    }
    return c.body(null, 202);
  });

  app.post('/api/broadcast/:topic/events/:event', async (c) => {
    const caller = c.get('caller');
    if (caller.tokenFailure) return c.json({ message: tokenFailureMessage(caller.tokenFailure) }, 401);
    const topic = c.req.param('topic');
    const event = c.req.param('event');
    const isPrivate = c.req.query('private') === 'true';
    const contentType = c.req.header('content-type') ?? '';
    let payload: BroadcastPayload;
    if (contentType.startsWith('application/octet-stream')) {
      payload = {
        type: 'broadcast',
        event,
        payload: new Uint8Array(await c.req.arrayBuffer()),
        binary: true,
      };
    } else if (contentType.startsWith('application/json')) {
      const body = await c.req.json().catch(() => undefined);
      if (body === undefined) return c.json({ message: 'Request body must be valid JSON' }, 422);
      payload = { type: 'broadcast', event, payload: body };
    } else {
      return c.json({ message: 'Content-Type must be application/json or application/octet-stream' }, 415);
    }
    if (!(await authorized(caller, topic, isPrivate))) {
      return c.json({ message: `You do not have permissions to write to this Channel topic: ${topic}` }, 403);
    }
    send(runtime.hub, topic, isPrivate, payload);
    return c.body(null, 202);
  });

  return app;
}
