// Shared by the benchmarks that run tensorgraph side by side with Python peers
// (bench/train.ts, bench/pipeline.ts): options, thread settings, the timing loop, a per-op
// profile from step stats, the peers' venv and runs, and the result table.
// It never imports tensorgraph itself (types only): the OpenMP variables must be set before
// the addon loads, so each benchmark calls setThreadEnv() and then imports tensorgraph.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Graph, RunMetadata } from 'tensorgraph';

// ---------- options ----------

export interface BenchOptions {
  flags: Set<string>;
  opts: Record<string, string>;
  /** The value of --name as a positive integer, or `dflt` when absent. */
  posInt(name: string, dflt: number): number;
  threads: number;
  interOp: number;
  rounds: number;
  seconds: number;
}

/**
 * `--name value` options and the boolean `flagNames` (--no-install, --profile, ...), plus the
 * ones every benchmark has: --threads (default: all cores), --inter-op (default: --threads),
 * --rounds (default 3), --seconds (default 5).
 */
export function parseOptions(script: string, argv: string[], flagNames: readonly string[]): BenchOptions {
  const flags = new Set<string>();
  const opts: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (flagNames.includes(a.slice(2)) && a.startsWith('--')) flags.add(a.slice(2));
    else if (a.startsWith('--') && argv[i + 1] !== undefined && !argv[i + 1]!.startsWith('--')) opts[a.slice(2)] = argv[++i]!;
    else throw new Error(`${script}: unexpected argument ${a} (see the header of ${script})`);
  }
  const posInt = (name: string, dflt: number): number => {
    if (opts[name] === undefined) return dflt;
    const v = Number(opts[name]);
    if (!Number.isInteger(v) || v < 1) throw new Error(`--${name} must be a positive integer, got ${opts[name]}`);
    return v;
  };
  const threads = posInt('threads', availableParallelism());
  const seconds = Number(opts.seconds ?? 5);
  if (!(seconds > 0)) throw new Error(`--seconds must be positive, got ${opts.seconds}`);
  return { flags, opts, posInt, threads, interOp: posInt('inter-op', threads), rounds: posInt('rounds', 3), seconds };
}

/**
 * oneDNN (ours), MKL and oneDNN (PyTorch) run on OpenMP: every process gets the same thread
 * count and the same wait policy. tensorgraph makes idle OpenMP workers sleep (PASSIVE,
 * src/native.ts) after a short spin (GOMP_SPINCOUNT) unless those are set, so the peers get
 * that too; workers that spin on collapse when anything else wants the cores. libgomp reads
 * both when the addon loads, so this runs before tensorgraph is imported (dynamically, by the
 * caller).
 */
export function setThreadEnv(threads: number): void {
  process.env.OMP_NUM_THREADS = String(threads);
  process.env.OMP_WAIT_POLICY ??= 'PASSIVE';
  process.env.GOMP_SPINCOUNT ??= '15000';
}

// ---------- timing ----------

/** mulberry32: a small seeded PRNG, so every run works on the same numbers. */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Runs step(i) `warmup` times, then until `seconds` have passed; steps per second. */
export function timeSteps(step: (i: number) => void, warmup: number, seconds: number): number {
  for (let i = 0; i < warmup; i++) step(i);
  let n = 0;
  const start = performance.now();
  for (;;) {
    step(n++);
    const elapsed = (performance.now() - start) / 1000;
    if (elapsed >= seconds) return n / elapsed;
  }
}

/**
 * Mean time per step of each op type over `runs` traced runs, biggest first (ops that run
 * concurrently each count their own wall time). `rate` is the untraced steps/s, for scale.
 */
export function profileOps(title: string, graph: Graph, traced: (i: number, md: RunMetadata) => void, rate: number, runs = 30): void {
  const byType = new Map<string, { us: number; count: number }>();
  const memory = { buffers: 0, bytes: 0, system: 0 };  // summed over the traced steps
  for (let i = 0; i < runs; i++) {
    const md: RunMetadata = {};
    traced(i, md);
    for (const dev of md.stepStats?.devStats ?? []) {
      for (const n of dev.nodeStats) {
        for (const m of n.memory) {
          memory.buffers += m.numAllocations ?? 0;
          memory.bytes += m.totalBytes;
          memory.system += m.numSystemAllocations ?? 0;
        }
        // The op that ran (the runtime's fusions run under their last node's name).
        const type = /^[^=]* = ([^(]*)\(/.exec(n.timelineLabel)?.[1] ?? n.nodeName;
        const e = byType.get(type) ?? { us: 0, count: 0 };
        e.us += n.allEndRelMicros;
        e.count++;
        byType.set(type, e);
      }
    }
  }
  const rows = [...byType].sort((a, b) => b[1].us - a[1].us);
  const total = rows.reduce((s, [, e]) => s + e.us, 0) / runs;
  console.log(`profile ${title}: ${(1e6 / rate).toFixed(0)} µs per untraced step; ` +
    `op time summed over nodes ${total.toFixed(0)} µs per traced step`);
  console.log(`  allocated per step: ${(memory.buffers / runs).toFixed(0)} buffers, ${(memory.bytes / runs / 2 ** 20).toFixed(2)} MiB; ` +
    `from the system allocator: ${(memory.system / runs).toFixed(1)} buffers (the rest recycled)`);
  for (const [type, e] of rows.slice(0, 15)) {
    console.log(`  ${type.padEnd(34)} ${(e.us / runs).toFixed(0).padStart(7)} µs  ${(e.count / runs).toFixed(0).padStart(3)} nodes  ${((100 * e.us) / runs / total).toFixed(1).padStart(5)}%`);
  }
}

// ---------- peers ----------

export const peersDir = join(dirname(fileURLToPath(import.meta.url)), 'peers');
export const venvPython = join(peersDir, '.venv', 'bin', 'python');

export interface Peer<K extends string = string> {
  key: K;
  label: string;
  /** The Python module whose import decides whether the peer runs. */
  module: string;
  script: string;
  /** Why it is skipped, or undefined when it runs. */
  skip?: string;
  version?: string;
}

/** Marks the peers not named in --peers (default: all of them) as skipped. */
export function selectPeers(peers: Peer[], o: BenchOptions): void {
  const wanted = (o.opts.peers ?? peers.map((p) => p.key).join(',')).split(',');
  for (const p of peers) if (!wanted.includes(p.key)) p.skip = 'not asked for (--peers)';
}

export function peerEnv(threads: number): NodeJS.ProcessEnv {
  return {
    ...process.env,
    OMP_NUM_THREADS: String(threads),
    MKL_NUM_THREADS: String(threads),
    TF_CPP_MIN_LOG_LEVEL: '2',
    PYTHONUNBUFFERED: '1',
    PYTHONDONTWRITEBYTECODE: '1', // no __pycache__ in bench/peers
  };
}

/** Makes the venv when it is missing (unless --no-install), then checks each peer imports. */
export function preparePeers(peers: Peer[], o: BenchOptions): void {
  const active = peers.filter((p) => !p.skip);
  if (active.length === 0) return;
  if (!existsSync(venvPython)) {
    if (o.flags.has('no-install')) {
      for (const p of active) p.skip = 'no venv at bench/peers/.venv and --no-install given (run bash bench/peers/setup.sh)';
      return;
    }
    console.error('bench/peers/.venv is missing: running bench/peers/setup.sh (several minutes, once)');
    spawnSync('bash', [join(peersDir, 'setup.sh')], { stdio: ['ignore', process.stderr, process.stderr] });
  }
  for (const p of active) {
    if (!existsSync(venvPython)) {
      p.skip = 'the venv could not be created (see bench/peers/setup.sh output)';
      continue;
    }
    const r = spawnSync(venvPython, ['-c', `import ${p.module}; print(${p.module}.__version__)`], { env: peerEnv(o.threads), encoding: 'utf8' });
    if (r.status === 0) p.version = r.stdout.trim();
    else p.skip = `cannot import ${p.module}: ${lastLine(r.stderr) || r.error?.message || 'unknown error'} (run bash bench/peers/setup.sh)`;
  }
}

export function lastLine(s: string | null | undefined): string {
  return (s ?? '').trim().split('\n').pop() ?? '';
}

/**
 * Runs `python <p.script> <args>` in bench/peers and returns the last JSON line it printed;
 * a failure reports (naming `what`) and gives undefined.
 */
export function runPeerScript<T>(p: Peer, args: string[], o: BenchOptions, what: string, timeoutS: number): T | undefined {
  const r = spawnSync(venvPython, [p.script, ...args], { cwd: peersDir, env: peerEnv(o.threads), encoding: 'utf8', timeout: timeoutS * 1000 });
  const json = r.stdout?.split('\n').reverse().find((l) => l.startsWith('{'));
  if (r.status !== 0 || !json) {
    console.error(`  ${p.label} failed on ${what}: ${lastLine(r.stderr) || r.error?.message || `exit ${r.status}`}`);
    return undefined;
  }
  return JSON.parse(json) as T;
}

// ---------- background load ----------

/**
 * Starts n CPU-bound child processes (a busy loop each) that run until this process exits,
 * so every framework's rounds meet the same competing load (--load N). They are killed on
 * exit, on an error and on SIGINT/SIGTERM; one whose parent died anyway (SIGKILL) notices
 * that its parent changed and exits.
 */
export function startLoad(n: number): void {
  if (n <= 0) return;
  const loop = 'const p = process.ppid; for (let i = 1; ; i++) if ((i & 0xfffff) === 0 && process.ppid !== p) process.exit(0);';
  const children: ChildProcess[] = [];
  for (let i = 0; i < n; i++) children.push(spawn(process.execPath, ['-e', loop], { stdio: 'ignore' }));
  for (const c of children) c.unref(); // they do not keep this process alive: it ends, then kills them
  const stop = () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  };
  process.on('exit', stop);
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.on(sig, () => {
      stop();
      process.exit(sig === 'SIGINT' ? 130 : 143);
    });
  }
}

// ---------- output ----------

/** A right-aligned text table (the first column left-aligned). */
export function printTable(header: string[], rows: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((s, i) => (i === 0 ? s.padEnd(widths[i]!) : s.padStart(widths[i]!))).join('  ');
  console.log(line(header));
  for (const r of rows) console.log(line(r));
}

export const fmt = (v: number | undefined, digits = 1) => (v === undefined ? '-' : v.toFixed(digits));
export const ratio = (a: number | undefined, b: number | undefined) => (a === undefined || b === undefined ? '-' : (a / b).toFixed(2));
