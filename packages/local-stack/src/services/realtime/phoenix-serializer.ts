/**
 * Phoenix channel frames as realtime-js speaks them. `vsn=1.0.0` sends JSON objects,
 * `vsn=2.0.0` (realtime-js' default) JSON arrays `[join_ref, ref, topic, event, payload]`
 * plus binary frames for user broadcasts, so a client can send raw bytes without base64.
 */

export type SerializerVersion = '1.0.0' | '2.0.0';

export const SUPPORTED_VERSIONS: readonly SerializerVersion[] = ['1.0.0', '2.0.0'];

/** A user broadcast whose payload stayed binary end to end (v2 only). */
export interface BinaryBroadcast {
  type: 'broadcast';
  event: string;
  payload: ArrayBuffer | Uint8Array;
  binary: true;
  meta?: Record<string, unknown>;
}

export interface PhoenixMessage {
  join_ref: string | null;
  ref: string | null;
  topic: string;
  event: string;
  payload: unknown;
}

// Binary frame kinds of the v2 serializer.
const KIND_USER_BROADCAST_PUSH = 3;
const KIND_USER_BROADCAST = 4;
const ENCODING_BINARY = 0;
const ENCODING_JSON = 1;

export class FrameError extends Error {
  override readonly name = 'FrameError';
}

function asString(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  return String(value);
}

function fromParts(parts: unknown[]): PhoenixMessage {
  const [joinRef, ref, topic, event, payload] = parts;
  if (typeof topic !== 'string' || typeof event !== 'string') {
    throw new FrameError('frame needs a string topic and event');
  }
  return { join_ref: asString(joinRef), ref: asString(ref), topic, event, payload: payload ?? {} };
}

function decodeText(text: string, version: SerializerVersion): PhoenixMessage {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new FrameError('frame is not valid JSON');
  }
  if (version === '2.0.0') {
    if (!Array.isArray(parsed) || parsed.length !== 5) throw new FrameError('v2 frames are 5-element arrays');
    return fromParts(parsed);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new FrameError('v1 frames are JSON objects');
  }
  const object = parsed as Record<string, unknown>;
  return fromParts([object.join_ref, object.ref, object.topic, object.event, object.payload]);
}

function decodeBinary(bytes: Uint8Array): PhoenixMessage {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.byteLength < 7 || view.getUint8(0) !== KIND_USER_BROADCAST_PUSH) {
    throw new FrameError('unsupported binary frame');
  }
  const lengths = [1, 2, 3, 4, 5].map((index) => view.getUint8(index));
  const encoding = view.getUint8(6);
  let offset = 7;
  const latin1 = new TextDecoder('latin1');
  const utf8 = new TextDecoder();
  const fields = lengths.map((length) => {
    if (offset + length > bytes.byteLength) throw new FrameError('truncated binary frame');
    const field = bytes.subarray(offset, offset + length);
    offset += length;
    return field;
  });
  const [joinRef, ref, topic, userEvent, metadata] = fields.map((field) => latin1.decode(field));
  const body = bytes.subarray(offset);
  let payload: unknown;
  if (encoding === ENCODING_JSON) {
    try {
      payload = JSON.parse(utf8.decode(body));
    } catch {
      throw new FrameError('binary frame JSON payload is invalid');
    }
  } else if (encoding === ENCODING_BINARY) {
    payload = body.slice();
  } else {
    throw new FrameError('unknown payload encoding');
  }
  const broadcast: Record<string, unknown> =
    encoding === ENCODING_BINARY
      ? { type: 'broadcast', event: userEvent, payload, binary: true }
      : { type: 'broadcast', event: userEvent, payload };
  if (metadata) {
    try {
      broadcast.meta = JSON.parse(metadata);
    } catch {
      // Metadata is advisory; a bad one doesn't lose the message.
    }
  }
  return {
    join_ref: joinRef || null,
    ref: ref || null,
    topic: topic ?? '',
    event: 'broadcast',
    payload: broadcast,
  };
}

/** Decodes one WebSocket frame from a client; throws FrameError on anything malformed. */
export function decodeFrame(
  data: Buffer | string,
  isBinary: boolean,
  version: SerializerVersion,
): PhoenixMessage {
  if (isBinary) {
    if (version !== '2.0.0') throw new FrameError('binary frames need vsn 2.0.0');
    const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : new Uint8Array(data);
    return decodeBinary(bytes);
  }
  return decodeText(typeof data === 'string' ? data : data.toString('utf8'), version);
}

/** Encodes a message for a client of the given serializer version. */
export function encodeFrame(message: PhoenixMessage, version: SerializerVersion): string {
  if (version === '2.0.0') {
    return JSON.stringify([message.join_ref, message.ref, message.topic, message.event, message.payload]);
  }
  return JSON.stringify({
    join_ref: message.join_ref,
    ref: message.ref,
    topic: message.topic,
    event: message.event,
    payload: message.payload,
  });
}

/**
 * A user broadcast with a binary payload, as the v2 serializer's "user broadcast" frame:
 * kind, topic/event/metadata lengths, encoding, then the bytes; `meta` (JSON) carries
 * what hosted puts there (`id` of a stored message, `replayed`).
 */
export function encodeBinaryBroadcast(
  topic: string,
  event: string,
  payload: Uint8Array,
  meta?: Record<string, unknown>,
): Uint8Array {
  const encoder = new TextEncoder();
  const topicBytes = encoder.encode(topic);
  const eventBytes = encoder.encode(event);
  const metaBytes = meta ? encoder.encode(JSON.stringify(meta)) : new Uint8Array(0);
  if (topicBytes.length > 255 || eventBytes.length > 255 || metaBytes.length > 255) {
    throw new FrameError('topic, event or metadata too long');
  }
  const header = 5;
  const frame = new Uint8Array(
    header + topicBytes.length + eventBytes.length + metaBytes.length + payload.byteLength,
  );
  frame[0] = KIND_USER_BROADCAST;
  frame[1] = topicBytes.length;
  frame[2] = eventBytes.length;
  frame[3] = metaBytes.length;
  frame[4] = ENCODING_BINARY;
  let offset = header;
  for (const part of [topicBytes, eventBytes, metaBytes, payload]) {
    frame.set(part, offset);
    offset += part.byteLength;
  }
  return frame;
}

export function isBinaryBroadcast(payload: unknown): payload is BinaryBroadcast {
  return typeof payload === 'object' && payload !== null && (payload as { binary?: unknown }).binary === true;
}
