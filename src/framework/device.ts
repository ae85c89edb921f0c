// Device specifications ("/job:ps/task:0/device:CPU:0") and their merging, as TF1's DeviceSpec.
import { InvalidArgumentError } from './errors.js';

export class DeviceSpec {
  constructor(
    readonly job: string | null = null,
    readonly replica: number | null = null,
    readonly task: number | null = null,
    readonly deviceType: string | null = null,
    readonly deviceIndex: number | null = null,
  ) {}

  /**
   * Parses "/job:x/replica:0/task:1/device:GPU:0", "/cpu:0", "/gpu:*", "" by TF's grammar
   * (DeviceNameUtils::ParseFullName, the same as the native runtime's device_name.cc; both are
   * tested on test/fixtures/device_names.json). `*` leaves a part unset; parts may come in
   * any order, a later one overriding an earlier one. A device type after /device: is kept as
   * written; the legacy /cpu: and /CPU: (/gpu:, /GPU:) mean /device:CPU: (GPU).
   */
  static fromString(spec: string): DeviceSpec {
    const p = parseDeviceName(spec);
    if (p === null) throw new InvalidArgumentError(undefined, undefined, `Unknown device specification '${spec}'`);
    return new DeviceSpec(p.job, p.replica, p.task, p.type, p.id);
  }

  /** Fields of `other` that are set override this one's (TF1's merge_from). */
  mergeFrom(other: DeviceSpec): DeviceSpec {
    return new DeviceSpec(
      other.job ?? this.job,
      other.replica ?? this.replica,
      other.task ?? this.task,
      other.deviceType ?? this.deviceType,
      other.deviceType !== null && other.deviceType !== this.deviceType ? other.deviceIndex : (other.deviceIndex ?? this.deviceIndex),
    );
  }

  /** Canonical form: "/job:x/replica:0/task:0/device:CPU:0" with unset parts left out. */
  toString(): string {
    let s = '';
    if (this.job !== null) s += `/job:${this.job}`;
    if (this.replica !== null) s += `/replica:${this.replica}`;
    if (this.task !== null) s += `/task:${this.task}`;
    if (this.deviceType !== null) s += `/device:${this.deviceType}:${this.deviceIndex === null ? '*' : this.deviceIndex}`;
    return s;
  }
}

interface ParsedDeviceName {
  job: string | null;
  replica: number | null;
  task: number | null;
  type: string | null;
  id: number | null;
}

// The parts' patterns, anchored where the cursor is: a job or device type starts with a
// letter; an index is decimal digits (or `*`, unset).
const NAME_RE = /[A-Za-z][A-Za-z0-9_]*/y;
const NUMBER_RE = /[0-9]+/y;

/** TF's ParseFullName: the parts of a device name, or null when it is malformed. */
function parseDeviceName(name: string): ParsedDeviceName | null {
  const p: ParsedDeviceName = { job: null, replica: null, task: null, type: null, id: null };
  if (name === '/') return p;
  let pos = 0;
  const prefix = (s: string) => (name.startsWith(s, pos) ? ((pos += s.length), true) : false);
  const match = (re: RegExp): string | null => {
    re.lastIndex = pos;
    const m = re.exec(name);
    if (!m) return null;
    pos += m[0].length;
    return m[0];
  };
  // A name runs to the next '/' (or ':' for a device type) and must be all name characters.
  const consumeName = (stops: string): string | null => {
    const start = pos;
    const n = match(NAME_RE);
    if (n === null || (pos < name.length && !stops.includes(name[pos]))) return ((pos = start), null);
    return n;
  };
  const consumeNumber = (): number | null => {
    const d = match(NUMBER_RE);
    return d === null || Number(d) > 0x7fffffff ? null : Number(d);
  };
  // `*` (unset) or a number; undefined when malformed.
  const consumeIndex = (): number | null | undefined => {
    if (prefix('*')) return null;
    return consumeNumber() ?? undefined;
  };
  while (pos < name.length) {
    let progress = false;
    if (prefix('/job:')) {
      if (prefix('*')) p.job = null;
      else if ((p.job = consumeName('/')) === null) return null;
      progress = true;
    }
    for (const key of ['replica', 'task'] as const) {
      if (prefix(`/${key}:`)) {
        const i = consumeIndex();
        if (i === undefined) return null;
        p[key] = i;
        progress = true;
      }
    }
    if (prefix('/device:')) {
      if (prefix('*')) p.type = null;
      else if ((p.type = consumeName('/:')) === null) return null;
      if (!prefix(':')) p.id = null;
      else {
        const i = consumeIndex();
        if (i === undefined) return null;
        p.id = i;
      }
      progress = true;
    }
    for (const type of ['CPU', 'GPU']) {
      if (prefix(`/${type.toLowerCase()}:`) || prefix(`/${type}:`)) {
        p.type = type;
        const i = consumeIndex();
        if (i === undefined) return null;
        p.id = i;
        progress = true;
      }
    }
    if (!progress) return null;
  }
  return p;
}

/** Canonical device string (TF1's pydev.canonical_name). */
export function canonicalDevice(spec: string): string {
  return spec ? DeviceSpec.fromString(spec).toString() : '';
}
