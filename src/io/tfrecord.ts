// TFRecord files in TS (also the framing of event files): per record `uint64 LE length`,
// `uint32 LE masked_crc32c(length bytes)`, `data`, `uint32 LE masked_crc32c(data)`.
// tf.io.TFRecordWriter writes them; tf.io.tfRecordIterator reads them, checking both CRCs.
import { closeSync, fsyncSync, openSync, readFileSync, writeFileSync, writeSync } from 'node:fs';
import { gunzipSync, gzipSync, inflateSync, deflateSync } from 'node:zlib';
import { DataLossError, InvalidArgumentError } from '../framework/errors.js';
import { native } from '../native.js';

// ---------- CRC-32C ----------

/** Unmasked CRC-32C of `data` (native/io/crc32c, through the addon). */
export function crc32c(data: Uint8Array): number {
  return native().crc32c(data) >>> 0;
}

/** TF's masked CRC: rotate right by 15 and add a constant (mod 2^32). */
export function maskedCrc32c(data: Uint8Array): number {
  const c = crc32c(data);
  return ((((c >>> 15) | (c << 17)) >>> 0) + 0xa282ead8) >>> 0;
}

// ---------- options ----------

export type CompressionType = '' | 'ZLIB' | 'GZIP';

export interface TFRecordOptions {
  /** '' (none, default), 'ZLIB' or 'GZIP'. */
  compressionType?: CompressionType | null;
}

function compressionOf(options: TFRecordOptions | CompressionType | undefined): CompressionType {
  const c = (typeof options === 'string' ? options : options?.compressionType) ?? '';
  if (c !== '' && c !== 'ZLIB' && c !== 'GZIP') throw new InvalidArgumentError(undefined, undefined, `Unsupported compression type: ${String(c)}`);
  return c;
}

/**
 * One record as it lies in the file: length, masked CRC of the length, data, masked CRC of
 * the data. The data may come in parts (concatenated into the record, no other copy).
 */
export function frameRecord(data: Uint8Array | readonly Uint8Array[]): Uint8Array {
  const parts = data instanceof Uint8Array ? [data] : data;
  const n = parts.reduce((a, p) => a + p.length, 0);
  // Every byte is written below: no zero-filling.
  const out = Buffer.allocUnsafe(16 + n);
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  view.setBigUint64(0, BigInt(n), true);
  view.setUint32(8, maskedCrc32c(out.subarray(0, 8)), true);
  let off = 12;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  view.setUint32(12 + n, maskedCrc32c(out.subarray(12, 12 + n)), true);
  return out;
}

const utf8 = new TextEncoder();

/** tf.io.TFRecordWriter(path, {compressionType}): `write(record)`, `flush()`, `close()`. */
export class TFRecordWriter {
  readonly path: string;
  readonly compressionType: CompressionType;
  private fd: number | undefined;
  /** Compressed files are one stream: records are kept and the file rewritten on flush. */
  private readonly pending: Uint8Array[] = [];

  constructor(path: string, options: TFRecordOptions | CompressionType = {}) {
    this.path = path;
    this.compressionType = compressionOf(options);
    this.fd = openSync(path, 'w');
  }

  /** Appends one record (a string is written as its UTF-8 bytes). */
  write(record: string | Uint8Array): void {
    if (this.fd === undefined) throw new InvalidArgumentError(undefined, undefined, `TFRecordWriter for ${this.path} is closed`);
    const framed = frameRecord(typeof record === 'string' ? utf8.encode(record) : record);
    if (this.compressionType) {
      this.pending.push(framed);
    } else {
      let off = 0;
      while (off < framed.length) off += writeSync(this.fd, framed, off, framed.length - off);
    }
  }

  /** Puts every record written so far on disk. */
  flush(): void {
    if (this.fd === undefined) return;
    if (this.compressionType) {
      const all = Buffer.concat(this.pending);
      writeFileSync(this.path, this.compressionType === 'GZIP' ? gzipSync(all) : deflateSync(all));
    } else {
      fsyncSync(this.fd);
    }
  }

  close(): void {
    if (this.fd === undefined) return;
    this.flush();
    closeSync(this.fd);
    this.fd = undefined;
  }
}

/** What lies at an offset of a TFRecord buffer (see parseRecord). */
export type RecordAt =
  | { kind: 'record'; data: Uint8Array; next: number }
  /** The buffer ends inside the record (a file still being written, or cut short). */
  | { kind: 'truncated'; partialHeader: boolean }
  /** A CRC does not match: `at` is where the bad length or data begins. */
  | { kind: 'corrupt'; at: number; what: 'length' | 'data' };

/**
 * The record starting at `off` of `buf` (which must not start past its end). The data is a
 * view into `buf`. The single reading of the framing: tfRecordIterator and the event file
 * reader (src/summary/event_file.ts) decide what truncation and corruption mean for them.
 */
export function parseRecord(buf: Uint8Array, off: number): RecordAt {
  if (off + 12 > buf.length) return { kind: 'truncated', partialHeader: true };
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  if (view.getUint32(off + 8, true) !== maskedCrc32c(buf.subarray(off, off + 8))) return { kind: 'corrupt', at: off, what: 'length' };
  const len = view.getBigUint64(off, true);
  if (BigInt(off) + 16n + len > BigInt(buf.length)) return { kind: 'truncated', partialHeader: false };
  const n = Number(len);
  const data = buf.subarray(off + 12, off + 12 + n);
  if (view.getUint32(off + 12 + n, true) !== maskedCrc32c(data)) return { kind: 'corrupt', at: off + 12, what: 'data' };
  return { kind: 'record', data, next: off + 16 + n };
}

/**
 * tf.io.tfRecordIterator(path, {compressionType}): the records of a TFRecord file. Both CRCs
 * are checked (DataLossError "corrupted record at <offset> in file <path>"); data ending inside
 * a record is "truncated record at <offset> in file <path>"; a partial 12-byte header at the
 * end ends the file (TF).
 */
export function* tfRecordIterator(path: string, options: TFRecordOptions | CompressionType = {}): IterableIterator<Uint8Array> {
  const compression = compressionOf(options);
  let file: Uint8Array = readFileSync(path);
  if (compression === 'GZIP') file = gunzipSync(file);
  else if (compression === 'ZLIB') file = inflateSync(file);
  let off = 0;
  while (off < file.length) {
    const r = parseRecord(file, off);
    if (r.kind === 'corrupt') {
      throw new DataLossError(undefined, undefined, `corrupted record at ${r.at}${r.at === 0 ? ' (Is this even a TFRecord file?)' : ''} in file ${path}`);
    }
    if (r.kind === 'truncated') {
      if (r.partialHeader) return;
      throw new DataLossError(undefined, undefined, `truncated record at ${off} in file ${path}`);
    }
    yield r.data.slice();
    off = r.next;
  }
}
