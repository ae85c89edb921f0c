// tf.train.replicaDeviceSetter: the device function of between-graph replication, which puts
// variables (TF's ps ops) on parameter-server tasks and everything else on the worker (TF1's
// training/device_setter.py), plus the greedy load-balancing ps strategy of
// tf.contrib.training (GreedyLoadBalancingStrategy, byte_size_load_fn).
import { DeviceSpec } from '../framework/device.js';
import { dtypeInfo } from '../framework/dtypes.js';
import { InvalidArgumentError } from '../framework/errors.js';
import type { DeviceFunction } from '../framework/graph.js';
import type { Operation } from '../framework/operation.js';
import { TensorShape, type ShapeLike } from '../framework/tensor_shape.js';
import { ClusterSpec, type ClusterSpecLike } from './cluster_spec.js';

/** The op types placed on ps tasks by default (TF's STANDARD_PS_OPS). */
export const STANDARD_PS_OPS: readonly string[] = [
  'Variable', 'VariableV2', 'AutoReloadVariable', 'MutableHashTable', 'MutableHashTableV2',
  'MutableHashTableOfTensors', 'MutableHashTableOfTensorsV2', 'MutableDenseHashTable',
  'MutableDenseHashTableV2', 'VarHandleOp',
];

/** Picks the ps task of a ps op: a function, or an object such as GreedyLoadBalancingStrategy. */
export type PsStrategy = ((op: Operation) => number) | { taskFor(op: Operation): number };

export interface ReplicaDeviceSetterOptions {
  /** Number of ps tasks; ignored when `cluster` is given. Default 0. */
  psTasks?: number;
  /** Device of the ps job; '' places no op on a ps. Default '/job:ps'. */
  psDevice?: string;
  /** Device of the worker job; '' leaves other ops unconstrained. Default '/job:worker'. */
  workerDevice?: string;
  /** Fill only fields inner device scopes left unset (default true); false keeps any set device. */
  mergeDevices?: boolean;
  /** The cluster: psTasks becomes the number of tasks of psDevice's job. */
  cluster?: ClusterSpecLike;
  /** Op types placed on ps tasks (default STANDARD_PS_OPS). */
  psOps?: readonly string[];
  /** Chooses the ps task of each ps op (default round-robin over the ps tasks). */
  psStrategy?: PsStrategy;
}

/** The round-robin strategy: tasks 0, 1, ..., n-1, 0, ... in op creation order. */
function roundRobin(numTasks: number): (op: Operation) => number {
  let next = 0;
  return () => {
    const task = next;
    next = (next + 1) % numTasks;
    return task;
  };
}

/**
 * A device function for `tf.device(fn, ...)` in between-graph replication: ops of the psOps
 * types go to psDevice with a task from psStrategy (unless an inner scope set a different
 * job), all other ops to workerDevice, each merged with the device inner scopes set.
 * Returns null (no device: `tf.device(null)` clears outer scopes, as TF's None) when the
 * cluster has no ps job or there are no ps tasks.
 */
export function replicaDeviceSetter(options: ReplicaDeviceSetterOptions = {}): DeviceFunction | null {
  const psDevice = options.psDevice ?? '/job:ps';
  const workerDevice = options.workerDevice ?? '/job:worker';
  const mergeDevices = options.mergeDevices ?? true;
  let psTasks = options.psTasks ?? 0;
  if (options.cluster !== undefined && options.cluster !== null) {
    const cluster = options.cluster instanceof ClusterSpec ? options.cluster : new ClusterSpec(options.cluster);
    const psJob = DeviceSpec.fromString(psDevice).job;
    if (psJob === null || !cluster.jobs.includes(psJob)) return null;
    psTasks = cluster.numTasks(psJob);
  }
  if (!Number.isInteger(psTasks) || psTasks < 0) {
    throw new InvalidArgumentError(undefined, undefined, `psTasks must be a non-negative integer, got ${String(psTasks)}`);
  }
  if (psTasks === 0) return null;
  const psOps = new Set(options.psOps ?? STANDARD_PS_OPS);
  const strategy = options.psStrategy ?? roundRobin(psTasks);
  if (typeof strategy !== 'function' && typeof (strategy as { taskFor?: unknown })?.taskFor !== 'function') {
    throw new TypeError('psStrategy must be callable');
  }
  const chooseTask = typeof strategy === 'function' ? strategy : (op: Operation) => strategy.taskFor(op);
  // Parsed once: a malformed device string fails here, at the call site, not per op.
  const psSpec = psDevice ? DeviceSpec.fromString(psDevice) : null;
  const workerSpec = DeviceSpec.fromString(workerDevice);

  return (op: Operation) => {
    if (!mergeDevices && op.device) return op.device;
    const current = DeviceSpec.fromString(op.device);
    if (psSpec && psOps.has(op.type)) {
      let ps = psSpec;
      // The task is chosen only where the op stays in the ps job (an inner /job:moon wins).
      if (ps.job !== null && (current.job === null || current.job === ps.job)) {
        ps = new DeviceSpec(ps.job, ps.replica, chooseTask(op), ps.deviceType, ps.deviceIndex);
      }
      return ps.mergeFrom(current).toString();
    }
    return workerSpec.mergeFrom(current).toString();
  };
}

/**
 * Places each ps op on the ps task with the least load so far, load being `loadFn(op)`
 * (TF's tf.contrib.training.GreedyLoadBalancingStrategy). Sensitive to op creation order.
 */
export class GreedyLoadBalancingStrategy {
  private readonly loads: number[];

  constructor(readonly numTasks: number, private readonly loadFn: (op: Operation) => number) {
    if (!Number.isInteger(numTasks) || numTasks <= 0) {
      throw new InvalidArgumentError(undefined, undefined, `numTasks must be a positive integer, got ${String(numTasks)}`);
    }
    this.loads = new Array<number>(numTasks).fill(0);
  }

  /** The least-loaded task (the first of equals, as numpy's argmin); adds the op's load to it. */
  taskFor(op: Operation): number {
    let task = 0;
    for (let i = 1; i < this.loads.length; i++) if (this.loads[i] < this.loads[task]) task = i;
    this.loads[task] += this.loadFn(op);
    return task;
  }

  /** The load placed on each task so far. */
  get psLoads(): number[] {
    return [...this.loads];
  }
}

/**
 * Bytes of the single output of `op` (a variable's size), for GreedyLoadBalancingStrategy.
 * Device functions run before shape inference, so a variable's `shape` attr stands in for
 * its output's shape, as in TF.
 */
export function byteSizeLoadFn(op: Operation): number {
  if (op.outputs.length !== 1) throw new InvalidArgumentError(undefined, op, `Op ${op.name} must have a single output`);
  const out = op.outputs[0];
  let shape = out.shape;
  if (!shape.isFullyDefined() && op.hasAttr('shape')) shape = TensorShape.from(op.getAttr('shape') as ShapeLike);
  const n = shape.numElements();
  if (n === null) throw new InvalidArgumentError(undefined, op, `Shape ${shape.toString()} of ${op.name} is not fully defined`);
  return n * dtypeInfo(out.dtype).size;
}
