// Loads the native addon (build/Release/tensorgraph_native.node) once, on first use.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fromNativeError } from './framework/errors.js';
import { setGraphDefVerifier } from './framework/graph_def.js';

/** The functions the addon exports (native/binding/addon.cc). */
/** A tensor crossing the boundary: dtype as the schema's enum number, bytes or strings. */
export interface NativeTensor {
  dtype: number;
  shape: number[];
  data: Uint8Array | TypedArrayLike | (string | Uint8Array)[];
}
type TypedArrayLike = ArrayBufferView;

/** Per-node timings of a traced run (TF's NodeExecStats, in microseconds from the run's start). */
export interface NodeExecStats {
  nodeName: string;
  device: string;
  allStartMicros: number;
  allEndRelMicros: number;
  threadId: number;
  /** TF's timeline_label, "name = Op(input, ...)": the op that ran (a fused node's _FusedMatMul). */
  timelineLabel: string;
  /** TF's memory: what the node's kernel allocated while it ran (host memory, allocator "cpu"). */
  memory: AllocatorMemoryUsed[];
}

/**
 * Host buffers a node allocated: TF's AllocatorMemoryUsed.total_bytes, and two counts of ours.
 * An output written over an input's buffer (buffer forwarding) allocates nothing. Nodes run on
 * a grpc:// server report totalBytes only.
 */
export interface AllocatorMemoryUsed {
  allocatorName: string;
  totalBytes: number;
  /** Buffers allocated. */
  numAllocations?: number;
  /** Of those, the ones the C allocator served because no recycled buffer of their size was free (0 in steady state). */
  numSystemAllocations?: number;
}

/** Feeds of a run, flat: dtype, shape, data for each tensor (no object per tensor to read). */
export type NativeFeeds = (number | number[] | NativeTensor['data'])[];

/** Fetched tensors, flat as NativeFeeds (dtype, shape, data each); `stepStats` when the run was traced. */
export type NativeRunResult = NativeFeeds & { stepStats?: NodeExecStats[] };

/** Opaque handle of a native gRPC server. */
export type NativeServer = { readonly __nativeServer: unique symbol };

/** Opaque handle of a native session. */
export type NativeSession = { readonly __nativeSession: unique symbol };

export interface NativeSessionOptions {
  /** "grpc://host:port": a session whose master is that server; "" or absent: in-process. */
  target?: string;
  numCpus?: number;
  /** The most GPUs to use; -1: all the CUDA backend finds. */
  numGpus?: number;
  gpuOptions?: { perProcessGpuMemoryFraction?: number; allowGrowth?: boolean; visibleDeviceList?: string };
  interOpThreads?: number;
  intraOpThreads?: number;
  allowSoftPlacement?: boolean;
  logDevicePlacement?: boolean;
  operationTimeoutInMs?: number;
  /** A grpc:// session's resources are its own on every task, not the server's (TF's isolate_session_state). */
  isolateSessionState?: boolean;
}

export interface NativeAddon {
  verifyGraphDef(buffer: Uint8Array): { nodeCount: number; producer: number };
  /** The op types the runtime has a record of (schema/op_def.fbs). */
  opTypes(): string[];
  /** Adds the records of an OpList buffer (ops registered after the build); verified first. */
  registerOps(opList: Uint8Array): void;
  newSession(options: NativeSessionOptions): NativeSession;
  sessionExtend(session: NativeSession, graphDef: Uint8Array): void;
  sessionMakeCallable(session: NativeSession, feeds: string[], fetches: string[], targets: string[]): { handle: number; placements: string[] };
  sessionRun(session: NativeSession, handle: number, feeds: NativeFeeds, timeoutMs: number, trace?: boolean): NativeRunResult;
  /** The callable's graphs as run, one serialised GraphDef per device (with their _Send/_Recv nodes). */
  sessionPartitionGraphs(session: NativeSession, handle: number): Uint8Array[];
  sessionRunAsync(session: NativeSession, handle: number, feeds: NativeFeeds, timeoutMs: number, trace?: boolean): Promise<NativeRunResult>;
  sessionClose(session: NativeSession): void;
  sessionListDevices(session: NativeSession): { name: string; deviceType: string; memoryLimitBytes: number; physicalDeviceDesc: string }[];
  resetContainers(containers: string[]): void;
  // gRPC servers and remote sessions (native/binding/dist_binding.cc); without gRPC in the
  // build they throw UnimplementedError and grpcAvailable is false.
  grpcAvailable: boolean;
  /** Binds the task's address and serves TF's master and worker services. */
  serverStart(def: {
    cluster: { job: { name: string; tasks: Record<number, string> }[] };
    jobName: string;
    taskIndex: number;
    config: {
      interOpThreads: number; intraOpThreads: number; operationTimeoutInMs: number; allowSoftPlacement: boolean; logDevicePlacement: boolean;
      isolateSessionState: boolean;
    };
    /** Abandoned steps' TTL (GrpcServerOptions.step_ttl_ms); undefined: the default. */
    stepTtlMs?: number;
  }): { server: NativeServer; target: string; port: number };
  serverJoin(server: NativeServer): void;
  serverJoinAsync(server: NativeServer): Promise<void>;
  serverStop(server: NativeServer): void;
  /** The server at target closes its sessions and clears the containers (none: its default one). */
  resetRemote(target: string, containers: string[], timeoutMs: number): void;
  /** Seconds for `iters` oneDNN sgemm calls of [m,k]x[k,n] (benchmark reference). */
  benchSgemm(m: number, k: number, n: number, iters: number): number;
  /** The tensors of the checkpoint at `prefix` (sorted by name); dtype as the schema's enum number. */
  checkpointList(prefix: string): { name: string; dtype: number; shape: number[] }[];
  /** One tensor of the checkpoint at `prefix` (NotFound for a missing key, DataLoss when corrupted). */
  checkpointRead(prefix: string, name: string): NativeTensor;
  /** Whether a complete checkpoint exists at `prefix` (its `.index` file is there). */
  checkpointExists(prefix: string): boolean;
  /** The unmasked CRC-32C (Castagnoli) of `data` (TFRecord framing masks it). */
  crc32c(data: Uint8Array): number;
  // Input-pipeline threads (native/binding/runner_binding.cc). Errors come back as JS errors
  // with TF's numeric `code` (not yet tf.errors classes: use fromNativeError).
  coordinatorNew(cleanStopCodes: number[]): NativeCoordinator;
  /** Requests a stop; true when `error` became the recorded one (it carries `tag`). */
  coordinatorRequestStop(c: NativeCoordinator, error?: { code: number; message: string; node?: string }, tag?: number): boolean;
  coordinatorShouldStop(c: NativeCoordinator): boolean;
  coordinatorClearStop(c: NativeCoordinator): void;
  /** Blocks the JS thread until a stop or `timeoutMs` (< 0: forever); returns shouldStop. */
  coordinatorWaitForStop(c: NativeCoordinator, timeoutMs: number): boolean;
  coordinatorError(c: NativeCoordinator): { error: Error; tag: number } | undefined;
  /** One thread per enqueue callable, plus the close-on-stop thread when `coord` is given. */
  queueRunnerCreate(session: NativeSession, enqueueHandles: number[], threadNames: string[], closeHandle: number,
    cancelHandle: number, closeOnStopName: string, coord: NativeCoordinator | null, closedCodes: number[]): { group: NativeRunnerGroup; threads: NativeRunnerThread[] };
  /** Enqueue threads of that createThreads call that have not ended (started or not). */
  queueRunnerLive(group: NativeRunnerGroup): number;
  queueRunnerExceptions(group: NativeRunnerGroup): Error[];
  runnerThreadStart(t: NativeRunnerThread): void;
  runnerThreadIsAlive(t: NativeRunnerThread): boolean;
  /** Blocks until the thread ends or `timeoutMs` (< 0: forever); returns whether it ended. */
  runnerThreadJoin(t: NativeRunnerThread, timeoutMs: number): boolean;
  /** Blocks until every thread ended or `coord` stopped, or `timeoutMs` passed; returns whether one of the first two happened. */
  runnerThreadsWait(threads: NativeRunnerThread[], coord: NativeCoordinator | null, timeoutMs: number): boolean;
}

/** Opaque handles of native input-pipeline objects. */
export type NativeCoordinator = { readonly __nativeCoordinator: unique symbol };
export type NativeRunnerGroup = { readonly __nativeRunnerGroup: unique symbol };
export type NativeRunnerThread = { readonly __nativeRunnerThread: unique symbol };

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
let addon: NativeAddon | undefined;

/** The addon, with every function wrapped so native errors arrive as tf.errors.* classes. */
export function native(): NativeAddon {
  if (!addon) {
    // oneDNN runs on OpenMP; spinning OpenMP workers would fight the runtime's own thread
    // pools for cores after every sgemm (x100 slower small matmuls on 2 cores). Read by
    // libgomp when the addon loads, so it must be set before.
    process.env.OMP_WAIT_POLICY ??= 'PASSIVE';
    // ...but a worker that just finished a team's region spins briefly (~0.15 ms by libgomp's
    // estimate of 100k spins per ms) before it sleeps: the step's next GEMM or convolution
    // usually comes sooner, and waking a sleeping worker costs ~50 µs each time (bench/train.ts
    // on 2 cores: MLP b50 +15-25%, b128 and b1024 +5%; none slower with --load 1, where the
    // teams are teams of one and no worker spins). Not longer: a spinning worker also takes
    // the core the step's other chain wants (50000 spins: the CNN 1-3% slower, some rounds
    // 15%; bench/README.md). libgomp stops spinning by itself when it manages more threads
    // than there are cores.
    process.env.GOMP_SPINCOUNT ??= '15000';
    const require = createRequire(import.meta.url);
    // TENSORGRAPH_NATIVE points at another build of the addon (parallel development builds).
    const path = process.env.TENSORGRAPH_NATIVE ?? join(root, 'build', 'Release', 'tensorgraph_native.node');
    const raw = require(path) as Record<string, unknown>;
    const wrapped: Record<string, unknown> = {};
    for (const [name, fn] of Object.entries(raw)) {
      wrapped[name] = typeof fn !== 'function' ? fn : (...args: unknown[]) => {
        try {
          const r = (fn as (...a: unknown[]) => unknown)(...args);
          return r instanceof Promise ? r.catch((e) => { throw fromNativeError(e); }) : r;
        } catch (e) {
          throw fromNativeError(e);
        }
      };
    }
    addon = wrapped as unknown as NativeAddon;
  }
  return addon;
}

// GraphDef.parse verifies buffers with the addon's FlatBuffers verifier (loaded when first used).
setGraphDefVerifier((bytes) => native().verifyGraphDef(bytes));
