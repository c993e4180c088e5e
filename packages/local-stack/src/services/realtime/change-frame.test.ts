import { describe, expect, it } from 'vitest';
import { ChangeFrames } from './change-frame.ts';
import { decodeFrame, type SerializerVersion } from './phoenix-serializer.ts';

describe('postgres_changes frames assembled from bytes', () => {
  const data = Buffer.from(
    JSON.stringify({ type: 'INSERT', table: 'items', record: { id: 1, title: 'é "quoted"' } }),
  );

  it.each(['1.0.0', '2.0.0'] as SerializerVersion[])(
    'decode (vsn %s) to the message the serializer would have encoded',
    (version) => {
      const frame = new ChangeFrames('realtime:room "a"', version).frame([7, 9], data);
      expect(decodeFrame(frame, false, version)).toEqual({
        join_ref: null,
        ref: null,
        topic: 'realtime:room "a"',
        event: 'postgres_changes',
        payload: { ids: [7, 9], data: JSON.parse(data.toString()) },
      });
    },
  );

  it('carries the ids of each call, not those of the frame before', () => {
    const frames = new ChangeFrames('realtime:room', '2.0.0');
    frames.frame([1], data);
    const later = decodeFrame(frames.frame([1, 2], data), false, '2.0.0');
    expect(later.payload).toMatchObject({ ids: [1, 2] });
    const again = decodeFrame(frames.frame([1], data), false, '2.0.0');
    expect(again.payload).toMatchObject({ ids: [1] });
  });
});
