// The runs of a logdir, as TensorBoard finds them: one run per directory holding a file whose
// basename contains "tfevents". Each run keeps its scalars, histograms and newest graph, and
// grows them from its event files on refresh (only appended bytes are read).
import { readdirSync, realpathSync, statSync, type Dirent } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { isEventFileName } from '../summary/event_file.js';
import { SessionStatus, type EventObject, type SummaryValueObject } from '../summary/proto.js';
import { EventFileReader } from './event_reader.js';

export interface ScalarSeries {
  steps: number[];
  wallTimes: number[];
  values: number[];
}

export interface HistogramEntry {
  step: number;
  wallTime: number;
  min: number;
  max: number;
  num: number;
  sum: number;
  sumSquares: number;
  bucketLimit: number[];
  bucket: number[];
}

export interface GraphEvent {
  kind: 'graph_def' | 'meta_graph_def';
  bytes: Uint8Array;
  step: number;
  wallTime: number;
}

const MAX_DEPTH = 32;

export class Run {
  readonly scalars = new Map<string, ScalarSeries>();
  readonly histograms = new Map<string, HistogramEntry[]>();
  graph: GraphEvent | undefined;
  /** Bumped whenever events arrive; the page re-fetches a run whose version changed. */
  version = 0;
  graphVersion = 0;
  private readonly readers = new Map<string, EventFileReader>();

  constructor(readonly name: string, readonly dir: string) {}

  /** Reads what was appended to the run's files (new files join in name order, as TensorBoard's). */
  refresh(files: string[]): void {
    // A rewritten file (a job restarted into a cleaned directory) is read again from the start,
    // and with it the whole run, so nothing of the old file lingers.
    if ([...this.readers.values()].some((r) => r.replaced())) this.reset();
    // A file that went away keeps what it had shown, without a "cannot read" warning.
    for (const f of [...this.readers.keys()]) if (!files.includes(f)) this.readers.delete(f);
    for (const f of [...files].sort()) {
      let r = this.readers.get(f);
      if (!r) this.readers.set(f, (r = new EventFileReader(f)));
      const events = r.readNew();
      for (const e of events) this.add(e);
      if (events.length) this.version++;
    }
  }

  private reset(): void {
    this.readers.clear();
    this.scalars.clear();
    this.histograms.clear();
    if (this.graph) this.graphVersion++;
    this.graph = undefined;
    this.version++;
  }

  warnings(): string[] {
    return [...this.readers.values()].flatMap((r) => r.warnings());
  }

  private add(e: EventObject): void {
    const step = e.step ?? 0;
    const wallTime = e.wallTime ?? 0;
    if (e.sessionLog?.status === SessionStatus.START) this.purgeFrom(step);
    if (e.graphDef) this.setGraph({ kind: 'graph_def', bytes: e.graphDef, step, wallTime });
    else if (e.metaGraphDef) this.setGraph({ kind: 'meta_graph_def', bytes: e.metaGraphDef, step, wallTime });
    for (const v of e.summary?.value ?? []) {
      if (!v.tag) continue;
      const scalar = scalarOf(v);
      if (scalar !== undefined) {
        let s = this.scalars.get(v.tag);
        if (!s) this.scalars.set(v.tag, (s = { steps: [], wallTimes: [], values: [] }));
        s.steps.push(step);
        s.wallTimes.push(wallTime);
        s.values.push(scalar);
      } else if (v.histo) {
        const h = v.histo;
        let list = this.histograms.get(v.tag);
        if (!list) this.histograms.set(v.tag, (list = []));
        list.push({
          step, wallTime, min: h.min ?? 0, max: h.max ?? 0, num: h.num ?? 0, sum: h.sum ?? 0, sumSquares: h.sumSquares ?? 0,
          bucketLimit: h.bucketLimit ?? [], bucket: h.bucket ?? [],
        });
      }
    }
  }

  private setGraph(g: GraphEvent): void {
    this.graph = g;
    this.graphVersion++;
  }

  /** A restarted job (SessionLog START at step s) replaces what the old one logged from step s on. */
  private purgeFrom(step: number): void {
    for (const s of this.scalars.values()) {
      const keep = s.steps.map((x) => x < step);
      if (keep.every(Boolean)) continue;
      s.steps = s.steps.filter((_, i) => keep[i]);
      s.wallTimes = s.wallTimes.filter((_, i) => keep[i]);
      s.values = s.values.filter((_, i) => keep[i]);
    }
    for (const [tag, list] of this.histograms) this.histograms.set(tag, list.filter((h) => h.step < step));
  }
}

/** simple_value, or a scalar tensor of the 'scalars' plugin (TF2-style summaries). */
function scalarOf(v: SummaryValueObject): number | undefined {
  if (v.simpleValue !== undefined) return v.simpleValue;
  const t = v.tensor;
  if (!t || v.metadata?.pluginData?.pluginName !== 'scalars') return undefined;
  if (t.floatVal?.length) return t.floatVal[0];
  if (t.doubleVal?.length) return t.doubleVal[0];
  const c = t.tensorContent;
  // DataType enum: DT_FLOAT = 1, DT_DOUBLE = 2.
  if (c && t.dtype === 1 && c.length >= 4) return Buffer.from(c).readFloatLE(0);
  if (c && t.dtype === 2 && c.length >= 8) return Buffer.from(c).readDoubleLE(0);
  return undefined;
}

export class Logdir {
  private readonly runs = new Map<string, Run>();
  private readonly rootReal: string;
  private lastScan = 0;
  private files = new Map<string, string[]>();

  /** `minScanMs`: how often the directory tree is walked for new runs and files. */
  constructor(readonly root: string, private readonly minScanMs = 1000) {
    this.rootReal = realpathSync(root);
  }

  /** Finds new runs and files (walking the tree at most every minScanMs) and reads what was appended. */
  refresh(): void {
    const now = Date.now();
    if (now - this.lastScan >= this.minScanMs) {
      this.lastScan = now;
      const found = new Map<string, string[]>();
      this.walk(this.rootReal, 0, found);
      this.files = found;
      // Runs whose directory lost its event files are dropped.
      const live = new Set([...found.keys()].map((dir) => this.nameOf(dir)));
      for (const name of [...this.runs.keys()]) if (!live.has(name)) this.runs.delete(name);
    }
    for (const [dir, files] of this.files) {
      const name = this.nameOf(dir);
      let run = this.runs.get(name);
      if (!run) this.runs.set(name, (run = new Run(name, dir)));
      run.refresh(files);
    }
  }

  private nameOf(dir: string): string {
    return relative(this.rootReal, dir).split(sep).join('/') || '.';
  }

  list(): Run[] {
    return [...this.runs.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  get(name: string): Run | undefined {
    return this.runs.get(name);
  }

  /** Event files per directory; symlinks count only when they resolve inside the logdir. */
  private walk(dir: string, depth: number, found: Map<string, string[]>): void {
    if (depth > MAX_DEPTH) return;
    let entries: Dirent[];
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const d of entries) {
      const p = join(dir, d.name);
      let isFile = d.isFile();
      if (d.isSymbolicLink()) {
        // Linked directories are not followed (no loops, nothing outside); linked files must stay inside.
        try {
          const real = realpathSync(p);
          if (!real.startsWith(this.rootReal + sep)) continue;
          isFile = statSync(real).isFile();
        } catch {
          continue;
        }
      } else if (d.isDirectory()) {
        this.walk(p, depth + 1, found);
        continue;
      }
      if (isFile && isEventFileName(d.name)) {
        const list = found.get(dir) ?? [];
        list.push(p);
        found.set(dir, list);
      }
    }
  }
}
