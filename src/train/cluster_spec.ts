// tf.train.ClusterSpec: the jobs of a cluster and the network address of each task (TF1's
// server_lib.py). Servers, replicaDeviceSetter and grpc:// sessions read it; asClusterDef()
// is the ClusterDef proto's shape, which the native server takes.
import { InvalidArgumentError } from '../framework/errors.js';

/** TF's ClusterDef proto as a plain object: jobs sorted by name, tasks keyed by task index. */
export interface ClusterDef {
  job: JobDef[];
}

export interface JobDef {
  name: string;
  tasks: Record<number, string>;
}

/** A job's tasks: a dense list of addresses, or a sparse map from task index to address. */
export type JobTasks = readonly string[] | Readonly<Record<number, string>>;

/** What `new ClusterSpec` accepts: `{job: tasks}`, a ClusterDef, or another ClusterSpec. */
export type ClusterSpecLike = Readonly<Record<string, JobTasks>> | ClusterDef | ClusterSpec;

type Tasks = Map<number, string>;

// A ClusterDef is {job: [{name, tasks}, ...]}; a cluster dict whose job is called "job" has
// addresses (strings) there instead. `{job: []}` reads as a dict: a job "job" without tasks.
function isClusterDef(v: object): v is ClusterDef {
  const keys = Object.keys(v);
  const jobs = (v as { job?: unknown }).job;
  return keys.length === 1 && Array.isArray(jobs) && jobs.length > 0 &&
    jobs.every((j) => typeof j === 'object' && j !== null && typeof (j as JobDef).name === 'string');
}

function taskIndex(key: string, job: string): number {
  const i = Number(key);
  if (!Number.isInteger(i) || i < 0 || String(i) !== key.trim()) {
    throw new TypeError(`The tasks for job '${job}' must be a list or a dictionary from integers to strings: bad task index '${key}'`);
  }
  return i;
}

function checkAddress(address: unknown, job: string): string {
  if (typeof address !== 'string') throw new TypeError(`Task address ${String(address)} of job '${job}' must be a string`);
  return address;
}

export class ClusterSpec {
  // Job name -> task index -> address, jobs in the order given (as TF's dict).
  private readonly spec = new Map<string, Tasks>();

  constructor(cluster: ClusterSpecLike) {
    if (cluster instanceof ClusterSpec) {
      for (const j of cluster.asClusterDef().job) this.addJob(j.name, j.tasks);
    } else if (typeof cluster === 'object' && cluster !== null && !Array.isArray(cluster) && isClusterDef(cluster)) {
      for (const j of cluster.job) this.addJob(j.name, j.tasks ?? {});
    } else if (typeof cluster === 'object' && cluster !== null && !Array.isArray(cluster)) {
      for (const [job, tasks] of Object.entries(cluster as Record<string, JobTasks>)) this.addJob(job, tasks);
    } else {
      throw new TypeError('`cluster` must be an object mapping one or more job names to lists of network addresses, or a ClusterDef');
    }
  }

  private addJob(job: string, tasks: JobTasks): void {
    const m: Tasks = new Map();
    if (Array.isArray(tasks)) {
      tasks.forEach((a, i) => m.set(i, checkAddress(a, job)));
    } else if (typeof tasks === 'object' && tasks !== null) {
      for (const [k, a] of Object.entries(tasks)) m.set(taskIndex(k, job), checkAddress(a, job));
    } else {
      throw new TypeError(`The tasks for job '${job}' must be a list or a dictionary from integers to strings.`);
    }
    this.spec.set(job, new Map([...m].sort((a, b) => a[0] - b[0])));
  }

  private job(job: string): Tasks {
    const t = this.spec.get(job);
    if (!t) throw new InvalidArgumentError(undefined, undefined, `No such job in cluster: '${job}'`);
    return t;
  }

  /** The job names, in the order they were given. */
  get jobs(): string[] {
    return [...this.spec.keys()];
  }

  /** False for a cluster without jobs (TF's `bool(cluster_spec)`). */
  get isEmpty(): boolean {
    return this.spec.size === 0;
  }

  /** Number of tasks defined in `job` (a sparse job counts only its defined tasks). */
  numTasks(job: string): number {
    return this.job(job).size;
  }

  /** The task indices defined in `job`, ascending. */
  taskIndices(job: string): number[] {
    return [...this.job(job).keys()];
  }

  /** The address of task `taskIndex` of `job`. */
  taskAddress(job: string, taskIndex: number): string {
    const a = this.job(job).get(taskIndex);
    if (a === undefined) throw new InvalidArgumentError(undefined, undefined, `No task with index ${taskIndex} in job '${job}'`);
    return a;
  }

  /** Addresses indexed by task index; a sparse job has null at the missing indices. */
  jobTasks(job: string): (string | null)[] {
    const t = this.job(job);
    const out: (string | null)[] = new Array<string | null>(t.size === 0 ? 0 : Math.max(...t.keys()) + 1).fill(null);
    for (const [i, a] of t) out[i] = a;
    return out;
  }

  /** Job -> address list for dense jobs, job -> {taskIndex: address} for sparse ones. */
  asDict(): Record<string, string[] | Record<number, string>> {
    const out: Record<string, string[] | Record<number, string>> = {};
    for (const [job, t] of this.spec) {
      const idx = [...t.keys()];
      if (idx.length > 0 && idx[idx.length - 1] + 1 === idx.length) out[job] = [...t.values()];
      else out[job] = Object.fromEntries(t);
    }
    return out;
  }

  /** The ClusterDef proto's content: jobs sorted by name (deterministic, as TF). */
  asClusterDef(): ClusterDef {
    return {
      job: [...this.spec.keys()].sort().map((name) => ({ name, tasks: Object.fromEntries(this.spec.get(name)!) })),
    };
  }

  /** Same jobs with the same task addresses (TF's `==`; job order does not matter). */
  equals(other: ClusterSpecLike): boolean {
    const o = other instanceof ClusterSpec ? other : new ClusterSpec(other);
    if (o.spec.size !== this.spec.size) return false;
    for (const [job, t] of this.spec) {
      const u = o.spec.get(job);
      if (!u || u.size !== t.size) return false;
      for (const [i, a] of t) if (u.get(i) !== a) return false;
    }
    return true;
  }

  /** `ClusterSpec({'ps': ['ps0:1111'], ...})`, jobs sorted, as TF's repr. */
  toString(): string {
    const d = this.asDict();
    const q = (s: string): string => `'${s}'`;
    const items = Object.keys(d).sort().map((job) => {
      const v = d[job];
      const body = Array.isArray(v)
        ? `[${v.map(q).join(', ')}]`
        : `{${Object.entries(v).map(([i, a]) => `${i}: ${q(a)}`).join(', ')}}`;
      return `${q(job)}: ${body}`;
    });
    return `ClusterSpec({${items.join(', ')}})`;
  }
}
