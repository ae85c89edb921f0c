// Incremental reader of one event file (a TFRecord file of tensorflow.Event): each call reads
// only the bytes appended since the last one. A record cut short at the end of the file is
// left for the next call (the writer may be mid-write); a bad CRC stops reading that file, as
// TensorBoard does, but here it also leaves a warning for the page.
// Interim: when src/summary/event_file.ts lands, its reader replaces the decode step here.
import { closeSync, fstatSync, openSync, readSync, statSync, type Stats } from 'node:fs';
import { maskedCrc32c } from '../io/tfrecord.js';
import { viewerTypes } from './proto.js';

/** An Event as plain data (protobufjs toObject: camelCase fields, int64 as number, bytes as Uint8Array). */
export interface EventData {
  wallTime?: number;
  step?: number;
  what?: string;
  fileVersion?: string;
  graphDef?: Uint8Array;
  metaGraphDef?: Uint8Array;
  summary?: { value?: SummaryValueData[] };
  sessionLog?: { status?: string; msg?: string };
  logMessage?: { level?: string; message?: string };
}

export interface SummaryValueData {
  tag?: string;
  value?: string;
  simpleValue?: number;
  histo?: { min?: number; max?: number; num?: number; sum?: number; sumSquares?: number; bucketLimit?: number[]; bucket?: number[] };
  tensor?: { dtype?: string; floatVal?: number[]; doubleVal?: number[]; halfVal?: number[]; tensorContent?: Uint8Array; intVal?: number[]; int64Val?: number[] };
  metadata?: { pluginData?: { pluginName?: string } };
}

export const toObjectOptions = { longs: Number, enums: String, bytes: Uint8Array, oneofs: true, defaults: false } as const;

const identityOf = (st: Stats) => `${st.dev}:${st.ino}:${st.birthtimeMs}`;

export class EventFileReader {
  /** Byte offset of the first record not yet read. */
  private offset = 0;
  /** Set once a bad record or a shrunk file stops reading for good. */
  private stopped: string | undefined;
  /** Set while the file ends inside a record (cleared when the rest arrives). */
  private partialTail: string | undefined;
  private readonly decodeErrors: string[] = [];
  /** The file's inode and birth time when first read: others mean the file was replaced (inodes are reused). */
  private identity: string | undefined;

  constructor(readonly path: string) {}

  /** Whether the file was deleted and written anew, or cut shorter than what was read. */
  replaced(): boolean {
    if (this.identity === undefined) return false;
    try {
      const st = statSync(this.path);
      return identityOf(st) !== this.identity || st.size < this.offset;
    } catch {
      return false;
    }
  }

  /** The events appended since the last call. */
  readNew(): EventData[] {
    if (this.stopped) return [];
    let fd: number;
    try {
      fd = openSync(this.path, 'r');
    } catch (e) {
      this.stopped = `cannot read ${this.path}: ${(e as Error).message}`;
      return [];
    }
    try {
      const st = fstatSync(fd);
      this.identity ??= identityOf(st);
      const size = st.size;
      if (size < this.offset) {
        this.stopped = `${this.path} shrank to ${size} bytes after ${this.offset} had been read; not read further`;
        return [];
      }
      if (size === this.offset) return [];
      const buf = Buffer.allocUnsafe(size - this.offset);
      let got = 0;
      while (got < buf.length) {
        const n = readSync(fd, buf, got, buf.length - got, this.offset + got);
        if (n === 0) break;
        got += n;
      }
      return this.parse(buf.subarray(0, got));
    } finally {
      closeSync(fd);
    }
  }

  /** Why this file shows less than it holds, if it does. */
  warnings(): string[] {
    const out = [...this.decodeErrors];
    if (this.stopped) out.push(this.stopped);
    if (this.partialTail) out.push(this.partialTail);
    return out;
  }

  private parse(buf: Buffer): EventData[] {
    const { Event } = viewerTypes();
    const events: EventData[] = [];
    let off = 0;
    this.partialTail = undefined;
    while (off < buf.length) {
      const at = this.offset + off;
      if (off + 12 > buf.length) {
        this.partialTail = `${this.path}: ends inside the record at byte ${at} (still being written, or truncated)`;
        break;
      }
      if (buf.readUInt32LE(off + 8) !== maskedCrc32c(buf.subarray(off, off + 8))) {
        this.stopped = `${this.path}: corrupted record header at byte ${at}; events after it are not shown`;
        break;
      }
      const len = Number(buf.readBigUInt64LE(off));
      if (off + 16 + len > buf.length) {
        this.partialTail = `${this.path}: ends inside the record at byte ${at} (still being written, or truncated)`;
        break;
      }
      const data = buf.subarray(off + 12, off + 12 + len);
      if (buf.readUInt32LE(off + 12 + len) !== maskedCrc32c(data)) {
        this.stopped = `${this.path}: corrupted record data at byte ${at}; events after it are not shown`;
        break;
      }
      try {
        events.push(Event.toObject(Event.decode(data), toObjectOptions) as EventData);
      } catch (e) {
        if (this.decodeErrors.length < 20) this.decodeErrors.push(`${this.path}: the record at byte ${at} is not an Event (${(e as Error).message})`);
      }
      off += 16 + len;
    }
    this.offset += off;
    return events;
  }
}
