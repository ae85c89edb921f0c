// tf.Session: runs fetches of a graph in the native runtime. The session sends the graph
// to the runtime incrementally (only ops added since the last run), caches one callable per
// (feeds, fetches, targets) signature, and converts feeds and results.
import { type DType, dtypeFromEnum, dtypeInfo, dtypeToEnum, isInteger } from '../framework/dtypes.js';
import { CancelledError, InvalidArgumentError } from '../framework/errors.js';
import { getDefaultGraph, type Graph } from '../framework/graph.js';
import { GraphDef } from '../framework/graph_def.js';
import { castData, NDArray, toNDArray, type ValueLike } from '../framework/ndarray.js';
import { ensureNativeOpRecords } from '../framework/op_list.js';
import { Operation } from '../framework/operation.js';
import { registerSessionHooks, type FeedDict } from '../framework/session_hooks.js';
import { Tensor } from '../framework/tensor.js';
import { bytesToStrings, ndarrayFromBytes, ndarrayToBytes } from '../framework/tensor_codec.js';
import { TensorShape } from '../framework/tensor_shape.js';
import { native, type NativeFeeds, type NativeRunResult, type NativeSession, type NodeExecStats } from '../native.js';

export interface GPUOptions {
  perProcessGpuMemoryFraction?: number;
  allowGrowth?: boolean;
  visibleDeviceList?: string;
}

/** Session configuration (TF1's ConfigProto), a plain object. */
export interface ConfigProto {
  logDevicePlacement?: boolean;
  allowSoftPlacement?: boolean;
  deviceCount?: { CPU?: number; GPU?: number };
  interOpParallelismThreads?: number;
  intraOpParallelismThreads?: number;
  usePerSessionThreads?: boolean;
  operationTimeoutInMs?: number;
  gpuOptions?: GPUOptions;
  /**
   * TF's isolate_session_state: a grpc:// session's variables, queues and other resources are
   * its own on every task of the cluster (dropped when it closes) instead of the server's,
   * shared by its sessions. In-process sessions always have their own.
   */
  isolateSessionState?: boolean;
}

/** `new tf.ConfigProto({...})` gives the same plain configuration object. */
export const ConfigProto = function ConfigProto(this: unknown, config: ConfigProto = {}): ConfigProto {
  return { ...config };
} as unknown as { new (config?: ConfigProto): ConfigProto; (config?: ConfigProto): ConfigProto };

/** TF1's RunOptions.TraceLevel values. */
export const TraceLevel = { NO_TRACE: 0, SOFTWARE_TRACE: 1, HARDWARE_TRACE: 2, FULL_TRACE: 3 } as const;

export interface RunOptions {
  timeoutInMs?: number;
  /** A TraceLevel; above NO_TRACE the run records per-node timings into RunMetadata.stepStats. */
  traceLevel?: number;
  /** Puts the graphs the run executed, one per device, into RunMetadata.partitionGraphs (TF's output_partition_graphs). */
  outputPartitionGraphs?: boolean;
}

export interface StepStats {
  devStats: { device: string; nodeStats: NodeExecStats[] }[];
}

/** Filled by a run given one: `stepStats` when traced (TF1's RunMetadata). */
export interface RunMetadata {
  stepStats?: StepStats;
  costGraph?: unknown;
  /** With RunOptions.outputPartitionGraphs: one GraphDef per device, with the _Send/_Recv nodes joining them. */
  partitionGraphs?: GraphDef[];
}

/** Groups a traced run's node timings by device, as TF's StepStats. */
function stepStatsOf(nodes: NodeExecStats[] | undefined): StepStats {
  const byDevice = new Map<string, NodeExecStats[]>();
  for (const n of nodes ?? []) {
    if (!byDevice.has(n.device)) byDevice.set(n.device, []);
    byDevice.get(n.device)!.push(n);
  }
  return { devStats: [...byDevice].map(([device, nodeStats]) => ({ device, nodeStats })) };
}

export interface SessionOptions {
  target?: string;
  graph?: Graph;
  config?: ConfigProto;
}

/** Something a session can fetch: tensors, operations, names, and arrays/objects of them. */
export type Fetch = Tensor | Operation | string | readonly Fetch[] | { readonly [key: string]: Fetch };

/** The result of fetching `F`: each tensor becomes an NDArray, each operation undefined. */
export type FetchResult<F> =
  F extends Tensor ? NDArray :
  F extends Operation ? undefined :
  F extends string ? NDArray | undefined :
  F extends readonly unknown[] ? { -readonly [K in keyof F]: FetchResult<F[K]> } :
  F extends object ? { -readonly [K in keyof F]: FetchResult<F[K]> } :
  never;

// ---------- fetch plans ----------

interface FetchPlan {
  tensors: Tensor[];
  targets: Operation[];
  build(values: NDArray[]): unknown;
  /** "fetch names|target names", part of the callable cache key. */
  key: string;
}

// Plans of single tensors and operations never change: build each once.
const singlePlans = new WeakMap<Tensor | Operation, FetchPlan>();

function fetchPlan(graph: Graph, fetches: Fetch): FetchPlan {
  if (!(fetches instanceof Tensor || fetches instanceof Operation)) return makeFetchPlan(graph, fetches);
  let plan = singlePlans.get(fetches);
  if (!plan) {
    plan = makeFetchPlan(graph, fetches);
    singlePlans.set(fetches, plan);
  }
  return plan;
}

function makeFetchPlan(graph: Graph, fetches: Fetch): FetchPlan {
  const tensors: Tensor[] = [];
  const tensorIndex = new Map<Tensor, number>();
  const targets: Operation[] = [];
  const compile = (f: Fetch): ((v: NDArray[]) => unknown) => {
    if (typeof f === 'string') f = graph.asGraphElement(f);
    if (f instanceof Tensor) {
      if (f.graph !== graph) throw new InvalidArgumentError(undefined, f.op, `Tensor ${f.name} is not an element of this graph.`);
      let i = tensorIndex.get(f);
      if (i === undefined) {
        i = tensors.push(f) - 1;
        tensorIndex.set(f, i);
      }
      const k = i;
      return (v) => v[k];
    }
    if (f instanceof Operation) {
      if (f.graph !== graph) throw new InvalidArgumentError(undefined, f, `Operation ${f.name} is not an element of this graph.`);
      if (!targets.includes(f)) targets.push(f);
      return () => undefined;
    }
    if (Array.isArray(f)) {
      const parts = f.map(compile);
      return (v) => parts.map((p) => p(v));
    }
    if (f && typeof f === 'object') {
      const entries = Object.entries(f).map(([k, x]) => [k, compile(x as Fetch)] as const);
      return (v) => Object.fromEntries(entries.map(([k, p]) => [k, p(v)]));
    }
    throw new InvalidArgumentError(undefined, undefined, `Fetch argument ${String(f)} has invalid type ${typeof f}, must be a Tensor, Operation, name string, or an array/object of them.`);
  };
  const build = compile(fetches);
  return { tensors, targets, build, key: `${tensors.map((t) => t.name).join(',')}|${targets.map((o) => o.name).join(',')}` };
}

// ---------- feeds ----------

const NO_FEEDS: readonly [Tensor | string, unknown][] = Object.freeze([]);

function feedPairs(feedDict: FeedDict | undefined): readonly (readonly [Tensor | string, unknown])[] {
  if (!feedDict) return NO_FEEDS;
  return feedDict instanceof Map ? [...feedDict.entries()] : Array.isArray(feedDict) ? feedDict : Object.entries(feedDict);
}

function feedTensor(graph: Graph, k: Tensor | string): Tensor {
  const t = typeof k === 'string' ? graph.getTensorByName(k.includes(':') ? k : `${k}:0`) : k;
  if (!(t instanceof Tensor)) throw new InvalidArgumentError(undefined, undefined, `Cannot interpret feed_dict key ${String(k)} as a Tensor`);
  if (t.graph !== graph) throw new InvalidArgumentError(undefined, t.op, `Tensor ${t.name} fed is not an element of this graph.`);
  return t;
}

/** The shape a flat TypedArray fed to `t` has: the static shape with one unknown dim inferred. */
function flatFeedShape(t: Tensor, length: number): number[] {
  const s = t.shape;
  if (s.dims === null) return [length];
  const known = s.dims.filter((d) => d !== null) as number[];
  const product = known.reduce((a, b) => a * b, 1);
  const unknown = s.dims.length - known.length;
  if (unknown === 0 && product === length) return known;
  if (unknown === 1 && product > 0 && length % product === 0) return s.dims.map((d) => (d === null ? length / product : d));
  throw new InvalidArgumentError(undefined, t.op,
    `Cannot feed a flat array of ${length} values for Tensor '${t.name}', which has shape '${s.toString()}'`);
}

/** Converts a feed value to the fed tensor's dtype (as TF1's np.asarray(value, dtype)) and checks its shape. */
export function feedValue(t: Tensor, value: unknown): NDArray {
  // Fast path for the most common feed: a JS number into a numeric scalar placeholder.
  if (typeof value === 'number' && (t.shape.rank === 0 || t.shape.dims === null)) {
    const ctor = dtypeInfo(t.dtype).array;
    if (ctor && t.dtype !== 'float16' && t.dtype !== 'bfloat16' && t.dtype !== 'int64' && t.dtype !== 'bool') {
      const data = new ctor(1) as Float32Array;
      data[0] = isInteger(t.dtype) ? Math.trunc(value) : value;
      if (data[0] === (isInteger(t.dtype) ? Math.trunc(value) : data[0])) return new NDArray(t.dtype, SCALAR, data);
    }
  }
  let arr: NDArray;
  try {
    if (value instanceof NDArray) {
      arr = value.dtype === t.dtype ? value : new NDArray(t.dtype, value.shape, castData(value.data, value.dtype, t.dtype));
    } else if (ArrayBuffer.isView(value) && !(value instanceof DataView)) {
      arr = toNDArray(value as ValueLike, { shape: flatFeedShape(t, (value as unknown as { length: number }).length) });
      if (arr.dtype !== t.dtype) arr = new NDArray(t.dtype, arr.shape, castData(arr.data, arr.dtype, t.dtype));
    } else {
      arr = toNDArray(value as ValueLike, { dtype: t.dtype, truncate: isInteger(t.dtype) });
    }
  } catch (e) {
    throw new InvalidArgumentError(undefined, t.op, `Cannot feed value for Tensor '${t.name}' of dtype ${t.dtype}: ${(e as Error).message}`);
  }
  if (!t.shape.isCompatibleWith(arr.shape)) {
    throw new InvalidArgumentError(undefined, t.op,
      `Cannot feed value of shape ${new TensorShape(arr.shape).toString()} for Tensor '${t.name}', which has shape '${t.shape.toString()}'`);
  }
  return arr;
}

const SCALAR: readonly number[] = Object.freeze([]);

/** Appends a feed to the binding's flat feed list (dtype, shape, data per tensor). */
function pushFeed(flat: NativeFeeds, arr: NDArray): void {
  const packed = arr.dtype === 'string' || arr.dtype === 'float16' || arr.dtype === 'bfloat16';
  // The binding copies from any typed array; only halves need packing first.
  flat.push(dtypeToEnum(arr.dtype), arr.shape as number[],
    arr.dtype === 'string' ? arr.bytes : packed ? ndarrayToBytes(arr) : (arr.data as ArrayBufferView));
}

/** The binding's flat result list (dtype, shape, data per tensor) as NDArrays. */
function fromNative(out: NativeRunResult): NDArray[] {
  const n = out.length / 3;
  const arrays = new Array<NDArray>(n);
  for (let i = 0; i < n; i++) {
    const dtype: DType = dtypeFromEnum(out[3 * i] as number);
    const shape = out[3 * i + 1] as number[];
    const data = out[3 * i + 2];
    arrays[i] = dtype === 'string'
      ? new NDArray('string', shape, bytesToStrings(data as Uint8Array[]))
      : ndarrayFromBytes(dtype, shape, data as Uint8Array, true);
  }
  return arrays;
}

// ---------- callables ----------

interface Prepared {
  handle: number;
  plan: FetchPlan;
  feeds: NativeFeeds;
}

/** Cached callables by fetch plan key, then by each fed tensor (a trie: no key string per run). */
interface CallableNode {
  handle?: number;
  next?: Map<Tensor, CallableNode>;
}

const defaultSessions: Session[] = [];

// The GPU options the runtime acts on; TF's others (forceGpuCompatible, experimental...) are
// rejected by name rather than accepted and ignored.
const GPU_OPTIONS: readonly (keyof GPUOptions)[] = ['perProcessGpuMemoryFraction', 'allowGrowth', 'visibleDeviceList'];

function checkedGpuOptions(options: GPUOptions | undefined): GPUOptions {
  for (const key of Object.keys(options ?? {})) {
    if (!(GPU_OPTIONS as readonly string[]).includes(key)) {
      throw new InvalidArgumentError(
        undefined,
        undefined,
        `ConfigProto.gpuOptions.${key} is not supported; the GPU options are ${GPU_OPTIONS.join(', ')}`,
      );
    }
  }
  return options ?? {};
}

export class Session {
  readonly graph: Graph;
  readonly target: string;
  readonly config: ConfigProto;
  private readonly _native: NativeSession;
  private _closed = false;
  private _extendedTo = 0;
  private readonly _callables = new Map<string, CallableNode>();

  constructor(options: SessionOptions = {}) {
    // A "grpc://host:port" target makes the native session a remote one (TF's GrpcSession).
    this.target = options.target ?? '';
    this.graph = options.graph ?? getDefaultGraph();
    this.config = { ...(options.config ?? {}) };
    const c = this.config;
    this._native = native().newSession({
      target: this.target,
      numCpus: c.deviceCount?.CPU ?? 1,
      numGpus: c.deviceCount?.GPU ?? -1,
      gpuOptions: checkedGpuOptions(c.gpuOptions),
      interOpThreads: c.interOpParallelismThreads ?? 0,
      intraOpThreads: c.intraOpParallelismThreads ?? 0,
      allowSoftPlacement: c.allowSoftPlacement ?? false,
      logDevicePlacement: c.logDevicePlacement ?? false,
      operationTimeoutInMs: c.operationTimeoutInMs ?? 0,
      isolateSessionState: c.isolateSessionState ?? false,
    });
  }

  /**
   * TF1's Session.reset. '': clears the named resource containers (all when none are named) of
   * every in-process session. "grpc://host:port": that server closes all its sessions and
   * clears the containers (none named: its default container, the job name).
   */
  static reset(target: string, containers?: string[] | null, config?: ConfigProto): void {
    if (target) native().resetRemote(target, containers ?? [], config?.operationTimeoutInMs ?? 0);
    else native().resetContainers(containers ?? []);
  }

  get closed(): boolean {
    return this._closed;
  }

  /** Runs `fetches`; the result mirrors their structure with NDArrays for tensors. */
  run<const F extends Fetch>(fetches: F, feedDict?: FeedDict, options?: RunOptions, runMetadata?: RunMetadata): FetchResult<F> {
    const prepared = this._prepare(fetches, feedDict);
    const trace = (options?.traceLevel ?? 0) > 0 && runMetadata !== undefined;
    const out = native().sessionRun(this._native, prepared.handle, prepared.feeds, options?.timeoutInMs ?? 0, trace);
    if (runMetadata) this._fillMetadata(runMetadata, prepared.handle, out.stepStats, options);
    return prepared.plan.build(fromNative(out)) as unknown as FetchResult<F>;
  }

  /**
   * Like run, on a native worker thread: the event loop keeps running. (A step that never
   * waits and took under 50 µs last time runs on this thread: a thread hop costs more.)
   */
  runAsync<const F extends Fetch>(fetches: F, feedDict?: FeedDict, options?: RunOptions, runMetadata?: RunMetadata): Promise<FetchResult<F>> {
    let prepared: Prepared;
    try {
      prepared = this._prepare(fetches, feedDict);
    } catch (e) {
      return Promise.reject(e);
    }
    // (Typed as Promise<never> inside: checking the recursive result type here is too deep for tsc.)
    const trace = (options?.traceLevel ?? 0) > 0 && runMetadata !== undefined;
    return native().sessionRunAsync(this._native, prepared.handle, prepared.feeds, options?.timeoutInMs ?? 0, trace).then((out) => {
      if (runMetadata) this._fillMetadata(runMetadata, prepared.handle, out.stepStats, options);
      return prepared.plan.build(fromNative(out));
    }) as Promise<never>;
  }

  private _fillMetadata(meta: RunMetadata, handle: number, stats: NodeExecStats[] | undefined, options?: RunOptions): void {
    meta.stepStats = stepStatsOf(stats);
    if (options?.outputPartitionGraphs) {
      meta.partitionGraphs = native().sessionPartitionGraphs(this._native, handle).map((b) => GraphDef.parse(b));
    }
  }

  /**
   * A function running `fetches` with values for `feedList` given positionally, with all
   * per-run lookups done once here (TF1's make_callable).
   */
  makeCallable<const F extends Fetch>(fetches: F, feedList: readonly (Tensor | string)[] = []): (...feedValues: unknown[]) => FetchResult<F> {
    const feedTensors = feedList.map((k) => feedTensor(this.graph, k));
    const plan = makeFetchPlan(this.graph, fetches);
    const handle = this._callable(feedTensors, plan);
    return (...values: unknown[]) => {
      this._checkOpen();
      if (values.length !== feedTensors.length) {
        throw new InvalidArgumentError(undefined, undefined, `Callable takes ${feedTensors.length} feed values, got ${values.length}`);
      }
      const feeds: NativeFeeds = [];
      for (let i = 0; i < feedTensors.length; i++) pushFeed(feeds, feedValue(feedTensors[i], values[i]));
      return plan.build(fromNative(native().sessionRun(this._native, handle, feeds, 0))) as unknown as FetchResult<F>;
    };
  }

  /**
   * @internal The native session and a callable that runs `op` as a target: QueueRunner
   * threads run it natively, without the JS thread.
   */
  _targetCallable(op: Operation): { session: NativeSession; handle: number } {
    return { session: this._native, handle: this._callable([], makeFetchPlan(this.graph, op)) };
  }

  /** The session's devices (TF1's list_devices): CPUs, then GPUs with their memory limit. */
  listDevices(): { name: string; deviceType: string; memoryLimitBytes: number; physicalDeviceDesc: string }[] {
    this._checkOpen();
    return native().sessionListDevices(this._native);
  }

  close(): void {
    if (this._closed) return;
    this._closed = true;
    native().sessionClose(this._native);
    const i = defaultSessions.indexOf(this);
    if (i >= 0 && this instanceof InteractiveSession) defaultSessions.splice(i, 1);
  }

  [Symbol.dispose](): void {
    this.close();
  }

  /** Runs `fn` with this session (and its graph) as the defaults. */
  asDefault<T>(fn: (sess: this) => T): T {
    defaultSessions.push(this);
    try {
      return this.graph.asDefault(() => fn(this));
    } finally {
      defaultSessions.splice(defaultSessions.lastIndexOf(this), 1);
    }
  }

  private _checkOpen(): void {
    if (this._closed) throw new CancelledError(undefined, undefined, 'Attempted to use a closed Session.');
  }

  private _prepare(fetches: Fetch, feedDict: FeedDict | undefined): Prepared {
    this._checkOpen();
    const pairs = feedPairs(feedDict);
    const tensors = new Array<Tensor>(pairs.length);
    for (let i = 0; i < pairs.length; i++) tensors[i] = feedTensor(this.graph, pairs[i][0]);
    const plan = fetchPlan(this.graph, fetches);
    const handle = this._callable(tensors, plan);
    const feeds: NativeFeeds = [];
    for (let i = 0; i < pairs.length; i++) pushFeed(feeds, feedValue(tensors[i], pairs[i][1]));
    return { handle, plan, feeds };
  }

  /** Sends new graph nodes, then returns the cached native callable for the signature. */
  private _callable(feeds: Tensor[], plan: FetchPlan): number {
    this._checkOpen();
    if (this.graph.version > this._extendedTo) {
      const delta = this.graph.asGraphDef({ fromVersion: this._extendedTo });
      ensureNativeOpRecords(delta.node.map((n) => n.op));
      native().sessionExtend(this._native, delta.serialize());
      this._extendedTo = this.graph.version;
    }
    let node: CallableNode | undefined = this._callables.get(plan.key);
    if (!node) this._callables.set(plan.key, (node = {}));
    for (const t of feeds) {
      let next: CallableNode | undefined = node.next?.get(t);
      if (!next) (node.next ??= new Map()).set(t, (next = {}));
      node = next;
    }
    if (node.handle === undefined) {
      const r = native().sessionMakeCallable(this._native, feeds.map((t) => t.name),
        plan.tensors.map((t) => t.name), plan.targets.map((o) => o.name));
      for (const line of r.placements) console.log(line);
      node.handle = r.handle;
    }
    return node.handle;
  }
}

/** A session that installs itself as the default session until closed (for shells). */
export class InteractiveSession extends Session {
  constructor(options: SessionOptions = {}) {
    super(options);
    defaultSessions.push(this);
  }
}

export function getDefaultSession(): Session | undefined {
  return defaultSessions[defaultSessions.length - 1];
}

function sessionFor(graph: Graph, given: unknown): Session {
  const sess = (given as Session | undefined) ?? getDefaultSession();
  if (!sess) {
    throw new InvalidArgumentError(undefined, undefined,
      'Cannot evaluate tensor using `eval()`: No default session is registered. Use `sess.asDefault(() => ...)` or pass an explicit session to `eval({session})`');
  }
  if (sess.graph !== graph) {
    throw new InvalidArgumentError(undefined, undefined, "Cannot use the given session to evaluate tensor: the tensor's graph is different from the session's graph.");
  }
  return sess;
}

registerSessionHooks({
  evalTensor: (t, o) => sessionFor(t.graph, o.session).run(t, o.feedDict),
  runOperation: (op, o) => void sessionFor(op.graph, o.session).run(op, o.feedDict),
});
