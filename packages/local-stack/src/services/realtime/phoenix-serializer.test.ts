import { describe, expect, it } from 'vitest';
import { decodeFrame, encodeBinaryBroadcast, encodeFrame, FrameError } from './phoenix-serializer.ts';

function userBroadcastPush(fields: string[], encoding: number, payload: Uint8Array): Buffer {
  const bytes = fields.map((field) => Buffer.from(field, 'latin1'));
  return Buffer.concat([
    Buffer.from([3, ...bytes.map((field) => field.length), encoding]),
    ...bytes,
    Buffer.from(payload),
  ]);
}

describe('phoenix serializer', () => {
  it('decodes v2 arrays and v1 objects to the same message', () => {
    const v2 = decodeFrame('["1","2","realtime:room","phx_join",{"a":1}]', false, '2.0.0');
    const v1 = decodeFrame(
      '{"join_ref":"1","ref":"2","topic":"realtime:room","event":"phx_join","payload":{"a":1}}',
      false,
      '1.0.0',
    );
    expect(v2).toEqual({
      join_ref: '1',
      ref: '2',
      topic: 'realtime:room',
      event: 'phx_join',
      payload: { a: 1 },
    });
    expect(v1).toEqual(v2);
  });

  it('encodes for each version', () => {
    const message = {
      join_ref: null,
      ref: '5',
      topic: 'phoenix',
      event: 'phx_reply',
      payload: { status: 'ok' },
    };
    expect(encodeFrame(message, '2.0.0')).toBe('[null,"5","phoenix","phx_reply",{"status":"ok"}]');
    expect(JSON.parse(encodeFrame(message, '1.0.0'))).toEqual(message);
  });

  it('decodes binary user broadcasts with JSON and binary payloads', () => {
    const json = decodeFrame(
      userBroadcastPush(['1', '9', 'realtime:r', 'move', ''], 1, new TextEncoder().encode('{"x":1}')),
      true,
      '2.0.0',
    );
    expect(json).toEqual({
      join_ref: '1',
      ref: '9',
      topic: 'realtime:r',
      event: 'broadcast',
      payload: { type: 'broadcast', event: 'move', payload: { x: 1 } },
    });
    const binary = decodeFrame(
      userBroadcastPush(['1', '', 'realtime:r', 'blob', ''], 0, new Uint8Array([7, 8])),
      true,
      '2.0.0',
    );
    expect(binary.ref).toBeNull();
    expect(binary.payload).toMatchObject({ event: 'blob', binary: true, payload: new Uint8Array([7, 8]) });
  });

  it('encodes a binary broadcast in the v2 "user broadcast" frame', () => {
    const frame = encodeBinaryBroadcast('realtime:r', 'blob', new Uint8Array([1, 2]));
    expect([...frame]).toEqual([4, 10, 4, 0, 0, ...Buffer.from('realtime:rblob'), 1, 2]);
  });

  it('rejects malformed frames with FrameError', () => {
    expect(() => decodeFrame('nope', false, '2.0.0')).toThrow(FrameError);
    expect(() => decodeFrame('[1,2,3]', false, '2.0.0')).toThrow(FrameError);
    expect(() => decodeFrame('{"topic":1}', false, '1.0.0')).toThrow(FrameError);
    expect(() => decodeFrame(Buffer.from([3, 1]), true, '2.0.0')).toThrow(FrameError);
    expect(() => decodeFrame(Buffer.from([9, 0, 0, 0, 0, 0, 1]), true, '2.0.0')).toThrow(FrameError);
    expect(() => decodeFrame(Buffer.from([3, 0, 0, 0, 0, 0, 1]), true, '1.0.0')).toThrow(FrameError);
  });
});
