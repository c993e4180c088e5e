import type { SerializerVersion } from './phoenix-serializer.ts';

const ARRAY_TAIL = Buffer.from('}]');
const OBJECT_TAIL = Buffer.from('}}');

function sameIds(a: number[], b: number[]): boolean {
  return a.length === b.length && a.every((id, index) => id === b[index]);
}

/**
 * The `postgres_changes` frames of one channel, assembled from bytes: a change's `data`
 * is JSON-encoded once for all its subscribers, and the frame's start (topic and binding
 * ids, nearly always the same) once per channel, so fan-out never re-serializes a row.
 */
export class ChangeFrames {
  private start: { ids: number[]; bytes: Buffer } | undefined;
  private readonly head: string;
  private readonly tail: Buffer;

  constructor(topic: string, version: SerializerVersion) {
    const quoted = JSON.stringify(topic);
    this.head =
      version === '2.0.0'
        ? `[null,null,${quoted},"postgres_changes",{"ids":`
        : `{"join_ref":null,"ref":null,"topic":${quoted},"event":"postgres_changes","payload":{"ids":`;
    this.tail = version === '2.0.0' ? ARRAY_TAIL : OBJECT_TAIL;
  }

  /** The text frame carrying `data` (the change's encoded JSON) for the bindings `ids`. */
  frame(ids: number[], data: Buffer): Buffer {
    let start = this.start;
    if (!start || !sameIds(start.ids, ids)) {
      start = { ids, bytes: Buffer.from(`${this.head}${JSON.stringify(ids)},"data":`) };
      this.start = start;
    }
    return Buffer.concat([start.bytes, data, this.tail]);
  }
}
