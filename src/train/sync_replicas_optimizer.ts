// tf.train.SyncReplicasOptimizer (TF1's training/sync_replicas_optimizer.py): synchronous
// data-parallel training. Each replica applies its gradients to a ConditionalAccumulator
// per variable (on the variable's device) and then waits for a token from the shared
// "sync_token_q". The chief's queue runner takes the average of `replicasToAggregate`
// gradients from each accumulator, applies it with the wrapped optimizer, bumps the global
// step and enqueues one token per replica. Gradients computed at an older step than the
// accumulator's are dropped (stale replicas, backup workers).
import { GraphKeys } from '../framework/collections.js';
import { InvalidArgumentError } from '../framework/errors.js';
import type { Operation } from '../framework/operation.js';
import type { Tensor } from '../framework/tensor.js';
import { convertToTensor, type TensorLike } from '../framework/op_builder.js';
import { fill } from '../ops/array_ops.js';
import { group, noOp } from '../ops/control_flow_ops.js';
import { ConditionalAccumulator, FIFOQueue } from '../ops/data_flow_ops.js';
import { assign } from '../ops/state_ops.js';
import { reportUninitializedVariables, globalVariables, Variable } from '../ops/variables.js';
import {
  Optimizer, type ApplyGradientsOptions, type ComputeGradientsOptions, type GradAndVar,
} from './optimizer.js';
import { QueueRunner } from './queue_runner.js';

export interface SyncReplicasOptimizerOptions {
  /** Gradients averaged into each update. */
  replicasToAggregate: number;
  /** Replicas computing gradients (default replicasToAggregate): more means backup replicas. */
  totalNumReplicas?: number;
  useLocking?: boolean;
  /** Default 'sync_replicas'. */
  name?: string;
}

function valueError(message: string): InvalidArgumentError {
  return new InvalidArgumentError(undefined, undefined, message);
}

export class SyncReplicasOptimizer extends Optimizer {
  private readonly _opt: Optimizer;
  private readonly _replicasToAggregate: number;
  private readonly _totalNumReplicas: number;
  private readonly _tokensPerStep: number;
  private _gradientsApplied = false;
  private _globalStep: Tensor | undefined;
  private _syncTokenQueue: FIFOQueue | undefined;
  private _chiefQueueRunner: QueueRunner | undefined;
  private _localStep: Variable | undefined;
  // Each accumulator with the device of its variable (set to the global step by chiefInitOp).
  private readonly _accumulators: [ConditionalAccumulator, string][] = [];

  /** Assigns the global step to this replica's local step (run by every replica before training). */
  localStepInitOp: Operation | undefined;
  /** localStepInitOp plus setting every accumulator's step to the global step (run by the chief). */
  chiefInitOp: Operation | undefined;
  /** The names of the global variables not yet initialized (empty when a replica may start). */
  readyForLocalInitOp: Tensor | undefined;

  constructor(opt: Optimizer, options: SyncReplicasOptimizerOptions) {
    super(options.useLocking ?? false, options.name ?? 'sync_replicas');
    const { replicasToAggregate } = options;
    if (!Number.isInteger(replicasToAggregate) || replicasToAggregate < 1) {
      throw valueError(`replicasToAggregate must be a positive integer, got ${String(replicasToAggregate)}`);
    }
    const total = options.totalNumReplicas ?? replicasToAggregate;
    if (!Number.isInteger(total) || total < 1) throw valueError(`totalNumReplicas must be a positive integer, got ${String(total)}`);
    this._opt = opt;
    this._replicasToAggregate = replicasToAggregate;
    this._totalNumReplicas = total;
    this._tokensPerStep = Math.max(total, replicasToAggregate);
  }

  /** The wrapped optimizer's gradients: aggregation happens in applyGradients. */
  override computeGradients(loss: Tensor, options: ComputeGradientsOptions = {}): GradAndVar[] {
    return this._opt.computeGradients(loss, options);
  }

  /**
   * Builds the synchronisation and returns this replica's train op: apply the gradients to
   * the accumulators, then take a token (the global step of the next update) into the
   * local step. Needs `globalStep` (the staleness check compares against it).
   */
  override applyGradients(gradsAndVars: readonly (readonly [TensorLike | undefined | null, Variable])[],
                          options: ApplyGradientsOptions = {}): Operation {
    if (gradsAndVars.length === 0) throw valueError('Must supply at least one variable');
    const globalStep = options.globalStep;
    if (globalStep === undefined || globalStep === null) throw valueError('Global step is required to check staleness');
    const graph = gradsAndVars[0][1].graph;
    return graph.asDefault(() => {
      this._globalStep = globalStep;
      const trainOps: Operation[] = [];
      const aggregated: [Tensor | undefined, Variable][] = [];

      // The local step lives on this worker: colocated with an op placed by the worker's
      // device scope, so a replica device setter does not send it to a ps.
      const localAnchor = noOp();
      const localStep = graph.colocateWith(localAnchor, () => new Variable(0, {
        trainable: false,
        collections: [GraphKeys.LOCAL_VARIABLES],
        dtype: globalStep.dtype,
        name: 'sync_rep_local_step',
      }));
      this._localStep = localStep;
      this.localStepInitOp = assign(localStep, globalStep).op;
      const chiefInitOps: Operation[] = [this.localStepInitOp];
      this.readyForLocalInitOp = reportUninitializedVariables(globalVariables());

      return graph.nameScope(this._name, () => {
        for (const [g, v] of gradsAndVars) {
          graph.device(v.device, () => {
            if (g === undefined || g === null) {
              aggregated.push([undefined, v]);  // passed through to the wrapped optimizer
              return;
            }
            let grad: Tensor;
            try {
              grad = convertToTensor(g);
            } catch {
              throw new TypeError(`Gradient must be convertible to a Tensor, or None: ${String(g)}`);
            }
            const accum = new ConditionalAccumulator(grad.dtype, { shape: v.shape, sharedName: `${v.name}/grad_accum` });
            trainOps.push(accum.applyGrad(grad, { localStep }));
            aggregated.push([accum.takeGrad(this._replicasToAggregate), v]);
            this._accumulators.push([accum, v.device]);
          });
        }

        // The update, the token queue and the chief's sync op live with the global step.
        const onGlobalStepDevice = <T>(fn: () => T): T => graph.device(globalStep.device, () => graph.nameScope('', fn));
        const updateOp = onGlobalStepDevice(() => this._opt.applyGradients(aggregated, { globalStep }));
        const dummyQueue = onGlobalStepDevice(() => {
          this._syncTokenQueue = new FIFOQueue(-1, globalStep.dtype, { shapes: [[]], name: 'sync_token_q', sharedName: 'sync_token_q' });
          // The chief queue runner's queue: closing it never closes the real token queue.
          return new FIFOQueue(1, 'int32', { shapes: [[]], name: 'dummy_queue', sharedName: 'dummy_queue' });
        });
        const trainOp = onGlobalStepDevice(() => {
          // A replica waits for a token once its gradients are in the accumulators.
          const token = graph.controlDependencies(trainOps, () => this._syncTokenQueue!.dequeue() as Tensor);
          const op = assign(localStep, token).op;
          const syncOp = graph.controlDependencies([updateOp], () => {
            // The tokens carry the global step after this update. TF reads it through the
            // variable's snapshot, which aliases the buffer the update changes in place;
            // this runtime's reads are copies, so the step is read again after the update.
            const step = globalStep instanceof Variable ? globalStep.readValue() : globalStep;
            const tokens = fill([this._tokensPerStep], step);
            return this._syncTokenQueue!.enqueueMany([tokens]);
          });
          this._chiefQueueRunner = new QueueRunner(dummyQueue, [syncOp]);
          return op;
        });
        for (const [accum, dev] of this._accumulators) {
          graph.device(dev, () => chiefInitOps.push(accum.setGlobalStep(globalStep, { name: 'SetGlobalStep' })));
        }
        this.chiefInitOp = group(chiefInitOps);
        this._gradientsApplied = true;
        return trainOp;
      });
    });
  }

  /** The chief's QueueRunner: takes the averaged gradients, applies them, enqueues the next tokens. */
  getChiefQueueRunner(): QueueRunner {
    if (!this._gradientsApplied) throw valueError('Should be called after apply_gradients().');
    return this._chiefQueueRunner!;
  }

  /**
   * The op filling the token queue with `numTokens` tokens (default replicasToAggregate),
   * run by the chief before training; at least replicasToAggregate - totalNumReplicas.
   */
  getInitTokensOp(numTokens = -1): Operation {
    if (!this._gradientsApplied) throw valueError('get_init_tokens_op() should be called after apply_gradients().');
    const tokensNeeded = this._replicasToAggregate - this._totalNumReplicas;
    if (numTokens === -1) {
      numTokens = this._replicasToAggregate;
    } else if (numTokens < tokensNeeded) {
      throw valueError(`Too few tokens to finish the first step: ${numTokens} (given) vs ${tokensNeeded} (needed)`);
    }
    const globalStep = this._globalStep!;
    const graph = globalStep.graph;
    return graph.asDefault(() => graph.device(globalStep.device, () => graph.nameScope('', () => {
      if (numTokens > 0) return this._syncTokenQueue!.enqueueMany([fill([numTokens], globalStep)]);
      return noOp({ name: 'no_init_tokens' });
    })));
  }

  override getSlot(v: Tensor, name: string): Variable | undefined {
    return this._opt.getSlot(v, name);
  }

  override getSlotNames(): string[] {
    return this._opt.getSlotNames();
  }

  /** The wrapped optimizer's variables (not the local step). */
  override variables(): Variable[] {
    return this._opt.variables();
  }

  protected override _applyDense(): Operation {
    throw new InvalidArgumentError(undefined, undefined, 'SyncReplicasOptimizer applies gradients through the optimizer it wraps');
  }
}
