// The viewer's cursor over one event file: readEvents (src/summary/event_file.ts) from the
// offset reached so far, so each poll reads only appended bytes. A record cut short at the
// end waits for the rest (the writer may be mid-write); a corrupt record stops reading the
// file, as in TensorBoard, and stays as a warning for the page.
import { statSync, type Stats } from 'node:fs';
import { readEvents } from '../summary/event_file.js';
import type { EventObject } from '../summary/proto.js';

/** Inode and birth time: a file deleted and written anew differs (inode numbers get reused). */
const identityOf = (st: Stats) => `${st.dev}:${st.ino}:${st.birthtimeMs}`;

export class EventFileReader {
  private offset = 0;
  private stopped: string | undefined;
  private partialTail: string | undefined;
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
  readNew(): EventObject[] {
    if (this.stopped) return [];
    try {
      this.identity ??= identityOf(statSync(this.path));
      const r = readEvents(this.path, this.offset);
      this.offset = r.nextOffset;
      this.partialTail = r.truncated ? `${this.path}: ends inside the record at byte ${r.nextOffset} (still being written, or truncated)` : undefined;
      if (r.corrupt) this.stopped = `${this.path}: ${r.corrupt.message}; events after it are not shown`;
      return r.events;
    } catch (e) {
      this.stopped = `${this.path}: ${(e as Error).message}`;
      return [];
    }
  }

  /** Why this file shows less than it holds, if it does. */
  warnings(): string[] {
    return [this.stopped, this.partialTail].filter((w): w is string => w !== undefined);
  }
}
