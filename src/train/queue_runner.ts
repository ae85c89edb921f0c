// tf.train.QueueRunner: threads that keep running a queue's enqueue ops (TF1's
// queue_runner_impl.py). The threads are native (native/runtime/queue_runner.h): they run
// the enqueue op in the session without the JavaScript thread, so a synchronous training
// loop that blocks in a dequeue is fed while it waits, and they never keep the process alive.
import { GraphKeys } from '../framework/collections.js';
import { fromNativeError, InvalidArgumentError, OutOfRangeError } from '../framework/errors.js';
import { getDefaultGraph, type Graph } from '../framework/graph.js';
import { Operation } from '../framework/operation.js';
import { Tensor } from '../framework/tensor.js';
import { getDefaultSession, type Session } from '../client/session.js';
import { native, type NativeRunnerGroup } from '../native.js';
import { codesOfErrorTypes, NativeThread, type Coordinator } from './coordinator.js';

/** What a QueueRunner needs of its queue (tf.FIFOQueue and the other queue classes). */
export interface RunnableQueue {
  readonly name: string;
  close(options?: { cancelPendingEnqueues?: boolean; name?: string }): Operation;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type ErrorClass = abstract new (...args: any[]) => Error;

export interface QueueRunnerOptions {
  /** Run once by the last enqueue thread after its queue was closed (default queue.close()). */
  closeOp?: Operation;
  /** Run when the coordinator stops (default queue.close({cancelPendingEnqueues: true})). */
  cancelOp?: Operation;
  /** Errors meaning "the input is exhausted": the thread ends and closes the queue (default [OutOfRangeError]). */
  queueClosedExceptionTypes?: readonly ErrorClass[];
}

export interface CreateThreadsOptions {
  coord?: Coordinator;
  daemon?: boolean;
  start?: boolean;
}

function asOperation(x: Operation | Tensor, what: string): Operation {
  if (x instanceof Operation) return x;
  if (x instanceof Tensor) return x.op;
  throw new InvalidArgumentError(undefined, undefined, `QueueRunner: ${what} must be an Operation or a Tensor, got ${String(x)}`);
}

export class QueueRunner {
  readonly queue: RunnableQueue;
  readonly enqueueOps: readonly Operation[];
  readonly closeOp: Operation;
  readonly cancelOp: Operation;
  readonly queueClosedExceptionTypes: readonly ErrorClass[];
  private readonly _closedCodes: number[];
  // The native state of the latest createThreads per session (TF's _runs_per_session).
  private readonly _runs = new Map<Session, NativeRunnerGroup>();
  private _lastGroup: NativeRunnerGroup | undefined;

  constructor(queue: RunnableQueue, enqueueOps: readonly (Operation | Tensor)[], options: QueueRunnerOptions = {}) {
    if (!queue || !enqueueOps || enqueueOps.length === 0) {
      throw new InvalidArgumentError(undefined, undefined, 'Must provide queue and enqueue_ops.');
    }
    this.queue = queue;
    this.enqueueOps = enqueueOps.map((op) => asOperation(op, 'an enqueue op'));
    this.closeOp = options.closeOp ? asOperation(options.closeOp, 'closeOp') : queue.close();
    this.cancelOp = options.cancelOp ? asOperation(options.cancelOp, 'cancelOp') : queue.close({ cancelPendingEnqueues: true });
    this.queueClosedExceptionTypes = options.queueClosedExceptionTypes ?? [OutOfRangeError];
    this._closedCodes = codesOfErrorTypes(this.queueClosedExceptionTypes);
  }

  /** The queue's name. */
  get name(): string {
    return this.queue.name;
  }

  /** Errors of the threads of the latest createThreads call that had no coordinator. */
  get exceptionsRaised(): Error[] {
    return this._lastGroup ? native().queueRunnerExceptions(this._lastGroup).map((e) => fromNativeError(e)) : [];
  }

  /**
   * One thread per enqueue op (named "QueueRunnerThread-<queue>-<op>") and, with a
   * coordinator, a thread that runs cancelOp once the coordinator stops. With a
   * coordinator the threads are registered with it. Returns [] while threads of an earlier
   * call still run in this session.
   */
  createThreads(sess: Session, options: CreateThreadsOptions = {}): NativeThread[] {
    const { coord, daemon = false, start = false } = options;
    const previous = this._runs.get(sess);
    if (previous && native().queueRunnerLive(previous) > 0) return [];
    const enqueue = this.enqueueOps.map((op) => sess._targetCallable(op));
    const close = sess._targetCallable(this.closeOp);
    const cancel = sess._targetCallable(this.cancelOp);
    const names = this.enqueueOps.map((op) => `QueueRunnerThread-${this.name}-${op.name}`);
    const closeOnStop = `QueueRunnerThread-${this.name}-close_on_stop`;
    const { group, threads } = native().queueRunnerCreate(close.session, enqueue.map((c) => c.handle), names,
      close.handle, cancel.handle, closeOnStop, coord ? coord._nativeHandle : null, this._closedCodes);
    this._runs.set(sess, group);
    this._lastGroup = group;
    const result = threads.map((h, i) => new NativeThread(i < names.length ? names[i] : closeOnStop, h, daemon));
    for (const t of result) {
      coord?.registerThread(t);
      if (start) t.start();
    }
    return result;
  }
}

/** tf.train.addQueueRunner: adds `qr` to a graph collection (default QUEUE_RUNNERS). */
export function addQueueRunner(qr: QueueRunner, collection: string = GraphKeys.QUEUE_RUNNERS, graph: Graph = getDefaultGraph()): void {
  graph.addToCollection(collection, qr);
}

export interface StartQueueRunnersOptions {
  sess?: Session;
  coord?: Coordinator;
  daemon?: boolean;
  start?: boolean;
  collection?: string;
}

/** tf.train.startQueueRunners: creates (and starts) the threads of every queue runner in `collection`. */
export function startQueueRunners(options: StartQueueRunnersOptions = {}): NativeThread[] {
  const sess = options.sess ?? getDefaultSession();
  if (!sess) {
    throw new InvalidArgumentError(undefined, undefined,
      'Cannot start queue runners: No default session is registered. Use `sess.asDefault(() => ...)` or pass an explicit session to tf.train.startQueueRunners({sess})');
  }
  const threads: NativeThread[] = [];
  for (const qr of sess.graph.getCollection<QueueRunner>(options.collection ?? GraphKeys.QUEUE_RUNNERS)) {
    threads.push(...qr.createThreads(sess, { coord: options.coord, daemon: options.daemon ?? true, start: options.start ?? true }));
  }
  return threads;
}
