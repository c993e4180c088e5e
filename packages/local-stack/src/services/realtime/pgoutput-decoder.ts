/**
 * Decodes pgoutput (protocol version 1) messages, keeping each column's value in
 * Postgres' text form. Hosted Realtime builds its payloads from typed values; we do
 * the typing ourselves (change-payload.ts) so nothing is lost to a generic parser
 * (microseconds of timestamps, int8 precision, numeric scale).
 */

export interface RelationColumn {
  name: string;
  typeOid: number;
  /** Part of the replica identity key (all columns with REPLICA IDENTITY FULL). */
  isKey: boolean;
}

export interface RelationMessage {
  tag: 'relation';
  relationId: number;
  schema: string;
  table: string;
  replicaIdentity: 'd' | 'n' | 'f' | 'i';
  columns: RelationColumn[];
}

/** A column value: text, null (SQL NULL) or undefined (unchanged TOAST value, not sent). */
export type TupleValue = string | null | undefined;

export type PgoutputMessage =
  | { tag: 'begin'; finalLsn: bigint; commitTime: Date; xid: number }
  | { tag: 'commit'; commitLsn: bigint; endLsn: bigint; commitTime: Date }
  | RelationMessage
  | { tag: 'insert'; relationId: number; new: TupleValue[] }
  | { tag: 'update'; relationId: number; old: TupleValue[] | null; oldIsKeyOnly: boolean; new: TupleValue[] }
  | { tag: 'delete'; relationId: number; old: TupleValue[]; oldIsKeyOnly: boolean }
  | { tag: 'truncate'; relationIds: number[] }
  | { tag: 'other'; code: string };

const POSTGRES_EPOCH_MS = Date.UTC(2000, 0, 1);

class Reader {
  private offset = 0;
  constructor(private readonly buffer: Buffer) {}
  uint8(): number {
    const value = this.buffer.readUInt8(this.offset);
    this.offset += 1;
    return value;
  }
  int16(): number {
    const value = this.buffer.readInt16BE(this.offset);
    this.offset += 2;
    return value;
  }
  int32(): number {
    const value = this.buffer.readInt32BE(this.offset);
    this.offset += 4;
    return value;
  }
  uint32(): number {
    const value = this.buffer.readUInt32BE(this.offset);
    this.offset += 4;
    return value;
  }
  int64(): bigint {
    const value = this.buffer.readBigUInt64BE(this.offset);
    this.offset += 8;
    return value;
  }
  timestamp(): Date {
    const micros = this.buffer.readBigInt64BE(this.offset);
    this.offset += 8;
    return new Date(POSTGRES_EPOCH_MS + Number(micros / 1000n));
  }
  string(): string {
    const end = this.buffer.indexOf(0, this.offset);
    const value = this.buffer.toString('utf8', this.offset, end);
    this.offset = end + 1;
    return value;
  }
  bytes(length: number): Buffer {
    const value = this.buffer.subarray(this.offset, this.offset + length);
    this.offset += length;
    return value;
  }
  char(): string {
    return String.fromCharCode(this.uint8());
  }
}

function readTuple(reader: Reader): TupleValue[] {
  const count = reader.int16();
  const values: TupleValue[] = [];
  for (let index = 0; index < count; index++) {
    const kind = reader.char();
    if (kind === 'n') values.push(null);
    else if (kind === 'u') values.push(undefined);
    else if (kind === 't' || kind === 'b') values.push(reader.bytes(reader.int32()).toString('utf8'));
    else throw new Error(`unknown tuple value kind ${kind}`);
  }
  return values;
}

export function decodePgoutput(buffer: Buffer): PgoutputMessage {
  const reader = new Reader(buffer);
  const code = reader.char();
  switch (code) {
    case 'B':
      return { tag: 'begin', finalLsn: reader.int64(), commitTime: reader.timestamp(), xid: reader.uint32() };
    case 'C': {
      reader.uint8(); // flags, unused
      return {
        tag: 'commit',
        commitLsn: reader.int64(),
        endLsn: reader.int64(),
        commitTime: reader.timestamp(),
      };
    }
    case 'R': {
      const relationId = reader.uint32();
      const schema = reader.string();
      const table = reader.string();
      const replicaIdentity = reader.char() as RelationMessage['replicaIdentity'];
      const count = reader.int16();
      const columns: RelationColumn[] = [];
      for (let index = 0; index < count; index++) {
        const flags = reader.uint8();
        const name = reader.string();
        const typeOid = reader.uint32();
        reader.int32(); // type modifier
        columns.push({ name, typeOid, isKey: (flags & 1) === 1 });
      }
      return { tag: 'relation', relationId, schema, table, replicaIdentity, columns };
    }
    case 'I': {
      const relationId = reader.uint32();
      reader.char(); // 'N'
      return { tag: 'insert', relationId, new: readTuple(reader) };
    }
    case 'U': {
      const relationId = reader.uint32();
      let kind = reader.char();
      let old: TupleValue[] | null = null;
      const oldIsKeyOnly = kind === 'K';
      if (kind === 'K' || kind === 'O') {
        old = readTuple(reader);
        kind = reader.char();
      }
      if (kind !== 'N') throw new Error(`unexpected update submessage ${kind}`);
      return { tag: 'update', relationId, old, oldIsKeyOnly, new: readTuple(reader) };
    }
    case 'D': {
      const relationId = reader.uint32();
      const kind = reader.char();
      return { tag: 'delete', relationId, oldIsKeyOnly: kind === 'K', old: readTuple(reader) };
    }
    case 'T': {
      const count = reader.int32();
      reader.uint8(); // options
      const relationIds: number[] = [];
      for (let index = 0; index < count; index++) relationIds.push(reader.uint32());
      return { tag: 'truncate', relationIds };
    }
    default:
      return { tag: 'other', code };
  }
}

export function formatLsn(lsn: bigint): string {
  return `${(lsn >> 32n).toString(16).toUpperCase()}/${(lsn & 0xffffffffn).toString(16).toUpperCase()}`;
}

export function parseLsn(lsn: string): bigint {
  const [upper = '0', lower = '0'] = lsn.split('/');
  return (BigInt(`0x${upper}`) << 32n) | BigInt(`0x${lower}`);
}
