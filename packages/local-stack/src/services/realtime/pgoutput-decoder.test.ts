import { describe, expect, it } from 'vitest';
import { decodePgoutput, formatLsn, parseLsn } from './pgoutput-decoder.ts';

function cstring(value: string): Buffer {
  return Buffer.concat([Buffer.from(value), Buffer.from([0])]);
}
function int(bytes: number, value: number | bigint): Buffer {
  const buffer = Buffer.alloc(bytes);
  if (bytes === 8) buffer.writeBigUInt64BE(BigInt(value));
  else if (bytes === 4) buffer.writeUInt32BE(Number(value));
  else if (bytes === 2) buffer.writeInt16BE(Number(value));
  else buffer.writeUInt8(Number(value));
  return buffer;
}
function text(value: string): Buffer {
  return Buffer.concat([Buffer.from('t'), int(4, Buffer.byteLength(value)), Buffer.from(value)]);
}

describe('pgoutput decoder', () => {
  it('decodes relation, begin, insert, update with old tuple, delete and commit', () => {
    const relation = decodePgoutput(
      Buffer.concat([
        Buffer.from('R'),
        int(4, 16384),
        cstring('public'),
        cstring('items'),
        Buffer.from('f'),
        int(2, 2),
        int(1, 1),
        cstring('id'),
        int(4, 20),
        int(4, -1 >>> 0),
        int(1, 0),
        cstring('body'),
        int(4, 25),
        int(4, -1 >>> 0),
      ]),
    );
    expect(relation).toEqual({
      tag: 'relation',
      relationId: 16384,
      schema: 'public',
      table: 'items',
      replicaIdentity: 'f',
      columns: [
        { name: 'id', typeOid: 20, isKey: true },
        { name: 'body', typeOid: 25, isKey: false },
      ],
    });

    const begin = decodePgoutput(
      Buffer.concat([Buffer.from('B'), int(8, 0x1_0000_0010n), int(8, 1_000_000n), int(4, 7)]),
    );
    expect(begin).toEqual({
      tag: 'begin',
      finalLsn: 0x1_0000_0010n,
      commitTime: new Date(Date.UTC(2000, 0, 1, 0, 0, 1)),
      xid: 7,
    });

    const insert = decodePgoutput(
      Buffer.concat([
        Buffer.from('I'),
        int(4, 16384),
        Buffer.from('N'),
        int(2, 2),
        text('1'),
        Buffer.from('n'),
      ]),
    );
    expect(insert).toEqual({ tag: 'insert', relationId: 16384, new: ['1', null] });

    const update = decodePgoutput(
      Buffer.concat([
        Buffer.from('U'),
        int(4, 16384),
        Buffer.from('O'),
        int(2, 2),
        text('1'),
        text('a'),
        Buffer.from('N'),
        int(2, 2),
        text('1'),
        Buffer.from('u'),
      ]),
    );
    expect(update).toEqual({
      tag: 'update',
      relationId: 16384,
      old: ['1', 'a'],
      oldIsKeyOnly: false,
      new: ['1', undefined],
    });

    const remove = decodePgoutput(
      Buffer.concat([
        Buffer.from('D'),
        int(4, 16384),
        Buffer.from('K'),
        int(2, 2),
        text('1'),
        Buffer.from('n'),
      ]),
    );
    expect(remove).toEqual({ tag: 'delete', relationId: 16384, old: ['1', null], oldIsKeyOnly: true });

    const commit = decodePgoutput(
      Buffer.concat([Buffer.from('C'), int(1, 0), int(8, 0x10n), int(8, 0x20n), int(8, 0n)]),
    );
    expect(commit).toMatchObject({ tag: 'commit', commitLsn: 0x10n, endLsn: 0x20n });
  });

  it('formats and parses LSNs', () => {
    expect(formatLsn(0x1_0000_00abn)).toBe('1/AB');
    expect(parseLsn('16/B374D848')).toBe(0x16_b374_d848n);
  });
});
