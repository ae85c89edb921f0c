// Event files: TFRecord files (src/io/tfrecord.ts framing) of serialized tensorflow.Event
// messages, named events.out.tfevents.<secs>.<host><suffix>. EventFileWriter appends records
// off the training thread; readEvents reads a (possibly growing) file incrementally.
import { closeSync, fstatSync, fsyncSync, mkdirSync, openSync, readSync, writev, writeSync, writevSync } from 'node:fs';
import { hostname } from 'node:os';
import { basename, join } from 'node:path';
import { InvalidArgumentError, NotFoundError, OpError, UnknownError } from '../framework/errors.js';
import { frameRecord, parseRecord } from '../io/tfrecord.js';
import { decodeEvent, encodeEvent, type EventObject } from './proto.js';

/** Event.file_version of every file we write: TensorBoard then keeps out-of-order steps. */
export const FILE_VERSION = 'brain.Event:2';

/** TensorBoard's discovery rule: the basename contains "tfevents" (profiler stubs excluded). */
export function isEventFileName(name: string): boolean {
  const b = basename(name);
  return b.includes('tfevents') && !b.endsWith('.profile-empty');
}

export interface EventFileWriterOptions {
  /** Queued events that start a background write (default 10). */
  maxQueue?: number;
  /** Longest time an event waits in the queue, in seconds (default 120). */
  flushSecs?: number;
  /** Appended to the file name (default ''). */
  filenameSuffix?: string;
}

/**
 * Creates `<logdir>/events.out.tfevents.<10-digit unix secs>.<hostname><suffix>` exclusively
 * (O_EXCL: never another writer's file); when taken, '.<pid>.<n>' goes before the suffix.
 */
function createEventFile(logdir: string, suffix: string): { path: string; fd: number } {
  const secs = String(Math.floor(Date.now() / 1000)).padStart(10, '0');
  const base = join(logdir, `events.out.tfevents.${secs}.${hostname()}`);
  for (let n = 0; ; n++) {
    const path = n === 0 ? `${base}${suffix}` : `${base}.${process.pid}.${n}${suffix}`;
    try {
      return { path, fd: openSync(path, 'wx') };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw fsError(`Failed to create event file ${path}`, e);
    }
  }
}

function fsError(what: string, e: unknown): OpError {
  const msg = `${what}: ${(e as Error).message}`;
  return (e as NodeJS.ErrnoException).code === 'ENOENT' ? new NotFoundError(undefined, undefined, msg) : new UnknownError(undefined, undefined, msg);
}

/** Writers with queued events: their queues are written when the process exits normally. */
const openWriters = new Set<EventFileWriter>();
let exitHookInstalled = false;

/** Framed records written together at file offset `pos` (writev: never concatenated). */
interface Batch {
  pos: number;
  chunks: Uint8Array[];
  length: number;
}

/**
 * Appends framed Event records to one new event file. `add` only queues: a background write
 * (fs.write on libuv's thread pool) starts once `maxQueue` events are queued or the oldest
 * has waited `flushSecs`. Writes land at precomputed offsets, one batch in flight at a time,
 * so the file is always a prefix of the record stream: a crash leaves at most a truncated
 * last record. `flush` and `close` are synchronous (TF1): they write the in-flight batch (the
 * same bytes at the same offset, harmless if the async write also lands) and the queue with
 * writeSync, then fsync. Timers are unref'd: the writer never keeps the process alive.
 */
export class EventFileWriter {
  readonly path: string;
  private fd: number;
  private readonly maxQueue: number;
  private readonly flushMs: number;
  private queue: Uint8Array[] = [];
  /** File offset where the next batch goes. */
  private pos = 0;
  private inflight: Batch | null = null;
  /** Async writes not yet called back (the fd stays open until they are). */
  private pendingOps = 0;
  private closeWhenIdle = false;
  private timer: NodeJS.Timeout | undefined;
  private error: OpError | undefined;
  private closed = false;

  constructor(logdir: string, options: EventFileWriterOptions = {}) {
    const maxQueue = options.maxQueue ?? 10;
    const flushSecs = options.flushSecs ?? 120;
    if (!Number.isInteger(maxQueue) || maxQueue < 1) throw new InvalidArgumentError(undefined, undefined, `maxQueue must be a positive integer, got ${maxQueue}`);
    if (!(flushSecs >= 0) || !Number.isFinite(flushSecs)) throw new InvalidArgumentError(undefined, undefined, `flushSecs must be a non-negative number of seconds, got ${flushSecs}`);
    const suffix = options.filenameSuffix ?? '';
    if (suffix.includes('/')) throw new InvalidArgumentError(undefined, undefined, `filenameSuffix must not contain '/', got '${suffix}'`);
    this.maxQueue = maxQueue;
    this.flushMs = flushSecs * 1000;
    try {
      mkdirSync(logdir, { recursive: true });
    } catch (e) {
      throw fsError(`Failed to create log directory ${logdir}`, e);
    }
    const { path, fd } = createEventFile(logdir, suffix);
    this.path = path;
    this.fd = fd;
    // The version record goes out at once: the file is a valid event file from the start.
    this.writeNow([frameRecord(encodeEvent({ wallTime: Date.now() / 1000, fileVersion: FILE_VERSION }))]);
    if (!exitHookInstalled) {
      exitHookInstalled = true;
      process.on('exit', () => {
        for (const w of openWriters) w.flushQuietly();
      });
    }
    openWriters.add(this);
  }

  /** Queues one serialized Event, possibly in parts (framed now, written later). Ignored after close. */
  add(eventBytes: Uint8Array | readonly Uint8Array[]): void {
    if (this.closed) return;
    this.throwPendingError();
    this.queue.push(frameRecord(eventBytes));
    if (this.queue.length >= this.maxQueue) this.startWrite();
    else this.armTimer();
  }

  /** The oldest queued event is written at most flushSecs after it was queued. */
  private armTimer(): void {
    if (this.timer || this.queue.length === 0) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.startWrite();
    }, this.flushMs).unref();
  }

  /** Puts every queued event on disk (synchronously, then fsync). */
  flush(): void {
    if (this.closed) return;
    this.throwPendingError();
    this.flushSync();
  }

  /** Flushes and closes the file; later adds are ignored. */
  close(): void {
    if (this.closed) return;
    try {
      this.throwPendingError();
      this.flushSync();
    } finally {
      this.closed = true;
      openWriters.delete(this);
      if (this.pendingOps > 0) this.closeWhenIdle = true;
      else closeSync(this.fd);
    }
  }

  get isClosed(): boolean {
    return this.closed;
  }

  private flushQuietly(): void {
    try {
      this.flushSync();
    } catch {
      // At exit there is nobody left to tell.
    }
  }

  private throwPendingError(): void {
    if (this.error) {
      const e = this.error;
      this.error = undefined;
      throw e;
    }
  }

  private takeQueue(): Batch | null {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (this.queue.length === 0) return null;
    const chunks = this.queue;
    this.queue = [];
    const length = chunks.reduce((a, c) => a + c.length, 0);
    const batch = { pos: this.pos, chunks, length };
    this.pos += length;
    return batch;
  }

  /** Writes `chunks` at `pos` synchronously (the next offset advances when they go at the end). */
  private writeNow(chunks: Uint8Array[], pos = this.pos): void {
    const length = chunks.reduce((a, c) => a + c.length, 0);
    try {
      let n = writevSync(this.fd, chunks, pos);
      if (n < length) {
        const rest = Buffer.concat(chunks).subarray(n);
        for (let off = 0; off < rest.length;) off += writeSync(this.fd, rest, off, rest.length - off, pos + n + off);
      }
    } catch (e) {
      throw fsError(`Failed to write event file ${this.path}`, e);
    }
    if (pos === this.pos) this.pos += length;
  }

  private flushSync(): void {
    if (this.inflight) {
      this.writeNow(this.inflight.chunks, this.inflight.pos);
      this.inflight = null;
    }
    const batch = this.takeQueue();
    if (batch) this.writeNow(batch.chunks, batch.pos);
    try {
      fsyncSync(this.fd);
    } catch (e) {
      throw fsError(`Failed to sync event file ${this.path}`, e);
    }
  }

  /** Starts the background write of the queue unless one is in flight (it chains on). */
  private startWrite(): void {
    if (this.closed || this.inflight) return;
    const batch = this.takeQueue();
    if (!batch) return;
    this.inflight = batch;
    this.pendingOps++;
    writev(this.fd, batch.chunks, batch.pos, (err, n) => this.written(batch, err, n));
  }

  private written(batch: Batch, err: Error | null, n: number): void {
    this.pendingOps--;
    if (this.inflight === batch) {
      if (err) {
        this.error = fsError(`Failed to write event file ${this.path}`, err);
        this.inflight = null;
      } else if (n < batch.length) {
        // A short write (rare): the rest goes out as one buffer, same batch.
        const rest = Buffer.concat(batch.chunks).subarray(n);
        const tail = { pos: batch.pos + n, chunks: [rest], length: rest.length };
        this.inflight = tail;
        this.pendingOps++;
        writev(this.fd, tail.chunks, tail.pos, (e2, n2) => this.written(tail, e2, n2));
      } else {
        this.inflight = null;
        // A non-empty queue always has a timer armed unless it fired during this write.
        if (this.queue.length >= this.maxQueue || (this.queue.length > 0 && !this.timer)) this.startWrite();
      }
    }
    if (this.pendingOps === 0 && this.closeWhenIdle) {
      this.closeWhenIdle = false;
      closeSync(this.fd);
    }
  }
}

// ---------- reading ----------

export interface ReadEventsResult {
  /** The events of the whole records between the offset and `nextOffset`. */
  events: EventObject[];
  /** Where the next read starts: after the last whole record read (or at a bad one). */
  nextOffset: number;
  /** The file ends inside a record (a writer is still at it, or it was cut short). */
  truncated: boolean;
  /**
   * A record at `offset` whose CRC does not match or that is not an Event. Reading stopped
   * there (as TensorBoard's does); a later read from nextOffset reports it again.
   */
  corrupt?: { offset: number; message: string };
}

/**
 * The events of `path` from byte `fromOffset` (0, or a previous call's nextOffset) to the
 * last whole record. A truncated last record is left for a later call; a corrupt one is
 * reported, not thrown. Only a missing or unreadable file throws.
 */
export function readEvents(path: string, fromOffset = 0): ReadEventsResult {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (e) {
    throw fsError(`Failed to open event file ${path}`, e);
  }
  let buf: Buffer;
  try {
    const size = fstatSync(fd).size;
    if (fromOffset > size) {
      return { events: [], nextOffset: fromOffset, truncated: false, corrupt: { offset: fromOffset, message: `the file is now ${size} bytes long, shorter than the offset ${fromOffset}` } };
    }
    buf = Buffer.allocUnsafe(size - fromOffset);
    let got = 0;
    while (got < buf.length) {
      const n = readSync(fd, buf, got, buf.length - got, fromOffset + got);
      if (n === 0) break;
      got += n;
    }
    buf = buf.subarray(0, got);
  } catch (e) {
    throw fsError(`Failed to read event file ${path}`, e);
  } finally {
    closeSync(fd);
  }
  const events: EventObject[] = [];
  let off = 0;
  while (off < buf.length) {
    const r = parseRecord(buf, off);
    if (r.kind === 'truncated') return { events, nextOffset: fromOffset + off, truncated: true };
    if (r.kind === 'corrupt') {
      return { events, nextOffset: fromOffset + off, truncated: false, corrupt: { offset: fromOffset + r.at, message: `corrupted record at ${fromOffset + r.at} (${r.what} CRC mismatch)` } };
    }
    try {
      events.push(decodeEvent(r.data));
    } catch (e) {
      return { events, nextOffset: fromOffset + off, truncated: false, corrupt: { offset: fromOffset + off, message: `record at ${fromOffset + off} is not an Event: ${(e as Error).message}` } };
    }
    off = r.next;
  }
  return { events, nextOffset: fromOffset + off, truncated: false };
}
