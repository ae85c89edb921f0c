// tf.train.Coordinator: a stop flag shared by the threads of an input pipeline, with the
// first error that caused a stop (TF1's coordinator.py). The flag lives in the native
// runtime so QueueRunner threads (native, src/train/queue_runner.ts) see a stop without the
// JavaScript thread; JS code reads the same flag.
import { errorClassForCode, fromNativeError, OpError, OutOfRangeError, InvalidArgumentError, UNKNOWN } from '../framework/errors.js';
import { native, type NativeCoordinator, type NativeRunnerThread } from '../native.js';

/** Something a coordinator can join: a thread object (native or any object with isAlive). */
export interface CoordinatedThread {
  readonly name: string;
  isAlive(): boolean;
}

/** What joinAsync accepts: threads, and Promises standing for work in progress. */
export type JoinableThread = CoordinatedThread | PromiseLike<unknown>;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type ErrorClass = abstract new (...args: any[]) => Error;

/** A thread the native runtime runs (QueueRunner threads): `{name, daemon, start(), isAlive(), join()}`. */
export class NativeThread implements CoordinatedThread {
  /** Marks the thread as not keeping the program alive (native threads never do). */
  daemon: boolean;

  /** @internal */
  constructor(readonly name: string, /** @internal */ readonly _handle: NativeRunnerThread, daemon = false) {
    this.daemon = daemon;
  }

  start(): void {
    native().runnerThreadStart(this._handle);
  }

  isAlive(): boolean {
    return native().runnerThreadIsAlive(this._handle);
  }

  /** Waits for the thread to end, at most `timeoutSecs` (blocks the JS thread). */
  join(timeoutSecs?: number): void {
    native().runnerThreadJoin(this._handle, secsToMs(timeoutSecs));
  }
}

function secsToMs(secs: number | undefined | null): number {
  return secs === undefined || secs === null ? -1 : Math.max(0, Math.round(secs * 1000));
}

/** The error codes whose classes are among `types` (OpError itself covers every code). */
export function codesOfErrorTypes(types: readonly ErrorClass[]): number[] {
  const codes: number[] = [];
  for (let code = 1; code <= 16; code++) {
    const cls = errorClassForCode(code);
    if (types.some((t) => cls === t || cls.prototype instanceof t)) codes.push(code);
  }
  return codes;
}

export interface CoordinatorOptions {
  /** Errors that stop the coordinator without being re-raised (default [OutOfRangeError]). */
  cleanStopExceptionTypes?: readonly ErrorClass[];
}

export interface JoinOptions {
  /** Seconds live threads get after a stop was requested (default 120). */
  stopGracePeriodSecs?: number;
  /** Do not throw for threads still alive after the grace period (default false). */
  ignoreLiveThreads?: boolean;
}

export class Coordinator {
  private readonly _native: NativeCoordinator;
  private readonly _cleanTypes: readonly ErrorClass[];
  private readonly _registered = new Set<JoinableThread>();
  private _joined = false;
  // An error requested from JS is recorded natively (so the first error wins whichever side
  // it came from) under a tag; the JS object is kept here to re-throw as it was.
  private _jsError: unknown;
  private _jsTag = 0;
  private _nextTag = 0;

  constructor(options: CoordinatorOptions = {}) {
    this._cleanTypes = options.cleanStopExceptionTypes ?? [OutOfRangeError];
    this._native = native().coordinatorNew(codesOfErrorTypes(this._cleanTypes));
  }

  /** @internal The native coordinator (QueueRunner threads watch it). */
  get _nativeHandle(): NativeCoordinator {
    return this._native;
  }

  shouldStop(): boolean {
    return native().coordinatorShouldStop(this._native);
  }

  /**
   * Requests that the threads stop. The first error given with the first stop request is
   * re-thrown by join() (clean-stop types excepted). After join(), an error is thrown here.
   */
  requestStop(err?: unknown): void {
    const e = err === undefined || err === null || this._cleanTypes.some((t) => err instanceof t) ? undefined : err;
    if (this._joined && e !== undefined) throw e;
    if (e === undefined) {
      native().coordinatorRequestStop(this._native);
      return;
    }
    const tag = ++this._nextTag;
    const payload = e instanceof OpError
      ? { code: e.code, message: e.message, node: e.op }
      : { code: UNKNOWN, message: e instanceof Error ? e.message : String(e) };
    if (native().coordinatorRequestStop(this._native, payload, tag)) {
      this._jsError = e;
      this._jsTag = tag;
    }
  }

  /** Forgets a stop request and its error, so the coordinator can be used again. */
  clearStop(): void {
    this._joined = false;
    this._jsError = undefined;
    this._jsTag = 0;
    native().coordinatorClearStop(this._native);
  }

  /** Waits (blocking the JS thread) for a stop, at most `timeoutSecs`; returns shouldStop(). */
  waitForStop(timeoutSecs?: number): boolean {
    return native().coordinatorWaitForStop(this._native, secsToMs(timeoutSecs));
  }

  registerThread(thread: JoinableThread): void {
    this._registered.add(thread);
  }

  /** Throws the error recorded with the stop request, if any. */
  raiseRequestedException(): void {
    const e = this._recordedError();
    if (e !== undefined) throw e;
  }

  /**
   * Runs `fn`; an exception it throws (or a rejection of the Promise it returns) is passed
   * to requestStop instead of propagating (TF's `with coord.stop_on_exception():`).
   */
  stopOnException<T>(fn: () => T): T | undefined {
    let r: T;
    try {
      r = fn();
    } catch (e) {
      this.requestStop(e);
      return undefined;
    }
    if (r && typeof (r as { then?: unknown }).then === 'function') {
      return Promise.resolve(r).catch((e: unknown) => {
        this.requestStop(e);
        return undefined;
      }) as T;
    }
    return r;
  }

  /**
   * Waits (blocking the JS thread) until all threads ended or a stop was requested, gives
   * live threads `stopGracePeriodSecs` to end, then re-throws the recorded error, or throws
   * when threads are still running (unless ignoreLiveThreads). Joins the registered threads
   * and `threads`. Promises can only be joined by joinAsync.
   */
  join(threads?: readonly CoordinatedThread[], options: JoinOptions = {}): void {
    const all = this._threadsToJoin(threads);
    if (all.some(isPromiseLike)) {
      throw new InvalidArgumentError(undefined, undefined, 'Coordinator.join cannot wait for Promises: use joinAsync');
    }
    const list = all as CoordinatedThread[];
    const handles = nativeHandles(list);
    if (handles) {
      native().runnerThreadsWait(handles, this._native, -1);
    } else {
      // Threads the JS thread runs cannot progress while join blocks: look at them once a second.
      while (list.some((t) => t.isAlive()) && !this.waitForStop(1.0)) { /* wait */ }
    }
    const grace = options.stopGracePeriodSecs ?? 120;
    if (handles) {
      native().runnerThreadsWait(handles, null, secsToMs(grace));
    } else {
      const deadline = Date.now() + grace * 1000;
      for (const t of list) {
        if (t instanceof NativeThread) native().runnerThreadJoin(t._handle, Math.max(0, deadline - Date.now()));
      }
    }
    this._finishJoin(list.filter((t) => t.isAlive()).map((t) => t.name), options);
  }

  /** join() without blocking the event loop; also accepts Promises (a rejection requests a stop with its error). */
  async joinAsync(threads?: readonly JoinableThread[], options: JoinOptions = {}): Promise<void> {
    const all = this._threadsToJoin(threads);
    const pending = new Set<PromiseLike<unknown>>();
    for (const t of all) {
      if (!isPromiseLike(t)) continue;
      pending.add(t);
      t.then(() => pending.delete(t), (e: unknown) => {
        pending.delete(t);
        try {
          this.requestStop(e);
        } catch { /* joined already: nobody is left to report it to */ }
      });
    }
    const threadsOf = all.filter((t): t is CoordinatedThread => !isPromiseLike(t));
    const alive = () => pending.size > 0 || threadsOf.some((t) => t.isAlive());
    const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
    let wait = 1;
    while (alive() && !this.shouldStop()) {
      await sleep(wait);
      wait = Math.min(wait * 2, 50);
    }
    const deadline = Date.now() + (options.stopGracePeriodSecs ?? 120) * 1000;
    wait = 1;
    while (alive() && Date.now() < deadline) {
      await sleep(Math.min(wait, Math.max(1, deadline - Date.now())));
      wait = Math.min(wait * 2, 50);
    }
    const stragglers = threadsOf.filter((t) => t.isAlive()).map((t) => t.name);
    if (pending.size > 0) stragglers.push(`<${pending.size} pending Promise${pending.size > 1 ? 's' : ''}>`);
    this._finishJoin(stragglers, options);
  }

  /** Whether join() has run since the last clearStop(). */
  get joined(): boolean {
    return this._joined;
  }

  private _threadsToJoin(threads: readonly JoinableThread[] | undefined): JoinableThread[] {
    return [...new Set([...this._registered, ...(threads ?? [])])];
  }

  private _finishJoin(stragglers: string[], options: JoinOptions): void {
    this._joined = true;
    this._registered.clear();
    const e = this._recordedError();
    if (e !== undefined) throw e;
    if (stragglers.length > 0 && !options.ignoreLiveThreads) {
      throw new Error(`Coordinator stopped with threads still running: ${stragglers.join(' ')}`);
    }
  }

  private _recordedError(): unknown {
    const r = native().coordinatorError(this._native);
    if (!r) return undefined;
    if (r.tag !== 0 && r.tag === this._jsTag) return this._jsError;
    return fromNativeError(r.error);
  }
}

function isPromiseLike(t: unknown): t is PromiseLike<unknown> {
  return !!t && typeof (t as { then?: unknown }).then === 'function';
}

/** The native handles when every thread is native (then waits need no polling), else undefined. */
function nativeHandles(threads: readonly CoordinatedThread[]): NativeRunnerThread[] | undefined {
  return threads.every((t) => t instanceof NativeThread) ? (threads as NativeThread[]).map((t) => t._handle) : undefined;
}
