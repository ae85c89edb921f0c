// tf.train.Server: one task of a cluster serving TF's master and worker services over gRPC
// (TF1's server_lib.py). Sessions reach it with `new tf.Session({target: server.target})`.
// The native server (native/distributed/grpc_server.cc) binds and serves from construction.
import { InvalidArgumentError } from '../framework/errors.js';
import type { ConfigProto } from '../client/session.js';
import { native, type NativeServer } from '../native.js';
import { ClusterSpec, type ClusterSpecLike } from './cluster_spec.js';

export interface ServerOptions {
  /** The job of this task; may be left out when the cluster has one job. */
  jobName?: string;
  /** The task index in that job; may be left out when the job has one task. */
  taskIndex?: number;
  /** Only 'grpc'. */
  protocol?: string;
  /** The defaults of sessions on this server (a session's own config overrides them). */
  config?: ConfigProto;
  /** Accepted for TF's signature: the server serves from construction either way. */
  start?: boolean;
  /**
   * tensorgraph's: how long (ms) a step's state on this task may sit with nothing running it and
   * no call naming it before it is dropped as abandoned (its master died before cleaning it
   * up); a RecvTensor waiting in it then fails with AbortedError. Default 60000.
   */
  stepTtlMs?: number;
}

export class Server {
  /** "grpc://host:port", the port the server bound (the cluster's port 0 means any free port). */
  readonly target: string;
  readonly port: number;
  readonly cluster: ClusterSpec;
  readonly jobName: string;
  readonly taskIndex: number;
  private readonly _native: NativeServer;
  private _stopped = false;

  constructor(cluster: ClusterSpecLike, options: ServerOptions = {}) {
    this.cluster = new ClusterSpec(cluster);
    const jobs = this.cluster.jobs;
    if (options.jobName === undefined && jobs.length !== 1) {
      throw new InvalidArgumentError(undefined, undefined, `jobName must be given for a cluster with ${jobs.length} jobs (${jobs.join(', ')})`);
    }
    this.jobName = options.jobName ?? jobs[0];
    if (!jobs.includes(this.jobName)) {
      throw new InvalidArgumentError(undefined, undefined, `Job '${this.jobName}' is not in the cluster (jobs: ${jobs.join(', ')})`);
    }
    const indices = this.cluster.taskIndices(this.jobName);
    if (options.taskIndex === undefined && indices.length !== 1) {
      throw new InvalidArgumentError(undefined, undefined, `taskIndex must be given for job '${this.jobName}', which has ${indices.length} tasks`);
    }
    this.taskIndex = options.taskIndex ?? indices[0];
    if (options.protocol !== undefined && options.protocol !== 'grpc') {
      throw new InvalidArgumentError(undefined, undefined, `Server protocol '${options.protocol}' is not supported; only 'grpc'`);
    }
    if (options.stepTtlMs !== undefined && !(Number.isInteger(options.stepTtlMs) && options.stepTtlMs > 0)) {
      throw new InvalidArgumentError(undefined, undefined, `stepTtlMs must be a positive integer (milliseconds), got ${options.stepTtlMs}`);
    }
    const c = options.config ?? {};
    const started = native().serverStart({
      cluster: this.cluster.asClusterDef(),
      jobName: this.jobName,
      taskIndex: this.taskIndex,
      config: {
        interOpThreads: c.interOpParallelismThreads ?? 0,
        intraOpThreads: c.intraOpParallelismThreads ?? 0,
        operationTimeoutInMs: c.operationTimeoutInMs ?? 0,
        allowSoftPlacement: c.allowSoftPlacement ?? false,
        logDevicePlacement: c.logDevicePlacement ?? false,
        isolateSessionState: c.isolateSessionState ?? false,
      },
      stepTtlMs: options.stepTtlMs,
    });
    this._native = started.server;
    this.target = started.target;
    this.port = started.port;
  }

  /** A server for a one-task cluster on this machine, on any free port (TF's create_local_server). */
  static createLocalServer(config?: ConfigProto, start = true): Server {
    return new Server({ localhost: ['localhost:0'] }, { protocol: 'grpc', config, start });
  }

  /** The server serves from construction; kept for TF's API. */
  start(): void {
    if (this._stopped) throw new InvalidArgumentError(undefined, undefined, 'The server has been stopped');
  }

  /** Blocks the calling (JS) thread until the server stops, as TF's join(): only a signal ends it. */
  join(): void {
    native().serverJoin(this._native);
  }

  /** Resolves when the server stops; keeps the process alive meanwhile. */
  joinAsync(): Promise<void> {
    return native().serverJoinAsync(this._native);
  }

  /** Stops serving: sessions on it are closed, their steps cancelled. */
  stop(): void {
    if (this._stopped) return;
    this._stopped = true;
    native().serverStop(this._native);
  }

  close(): void {
    this.stop();
  }

  [Symbol.dispose](): void {
    this.stop();
  }
}
