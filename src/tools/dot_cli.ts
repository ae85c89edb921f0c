// tensorgraph-dot FILE [-o OUT.dot|svg|png] [--rankdir LR] [--no-edge-labels] [--title T]:
// draws the graph in FILE (see graph_file.ts for the formats) as DOT on stdout, or renders it
// with Graphviz's `dot` into OUT. Exit status: 0 done, 1 failed (no such file, not a graph,
// Graphviz missing or failing), 2 bad usage.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { extname } from 'node:path';

import '../index.js';  // registers the ops, so our graphs import with inferred shapes
import { OpError } from '../framework/errors.js';
import { nodesToDot, type DotOptions } from './graph_dot.js';
import { loadGraphFile } from './graph_file.js';

export const USAGE = `usage: tensorgraph-dot FILE|LOGDIR [-o OUT.dot|OUT.svg|OUT.png] [-T dot|svg|png] [--rankdir TB|LR|BT|RL] [--no-edge-labels] [--title TEXT]
  FILE: a meta graph (tf.train.exportMetaGraph), a GraphDef (graph.asGraphDef().serialize(),
  or a TF protobuf .pb), an events file (its newest graph), or a log directory.
  Without -o the DOT text goes to stdout; svg and png are rendered by Graphviz's dot.`;

const FORMATS = new Set(['dot', 'gv', 'svg', 'png']);
const RANKDIRS = new Set(['TB', 'LR', 'BT', 'RL']);

interface Io {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
}

class UsageError extends Error {}

interface Args {
  file: string;
  out?: string;
  format: string;
  dot: DotOptions;
}

function parseArgs(argv: readonly string[]): Args | 'help' {
  let file: string | undefined;
  let out: string | undefined;
  let format: string | undefined;
  const dot: DotOptions = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) throw new UsageError(`${a} needs a value`);
      return argv[++i];
    };
    if (a === '-h' || a === '--help') return 'help';
    else if (a === '-o' || a === '--output') out = value();
    else if (a === '-T' || a === '--format') format = value().toLowerCase();
    else if (a === '--rankdir') {
      const r = value().toUpperCase();
      if (!RANKDIRS.has(r)) throw new UsageError(`--rankdir must be TB, LR, BT or RL, not '${r}'`);
      dot.rankdir = r as DotOptions['rankdir'];
    } else if (a === '--no-edge-labels') dot.edgeLabels = false;
    else if (a === '--title') dot.title = value();
    else if (a.startsWith('-') && a !== '-') throw new UsageError(`unknown option ${a}`);
    else if (file === undefined) file = a;
    else throw new UsageError(`unexpected argument '${a}' (one FILE at a time)`);
  }
  if (file === undefined) throw new UsageError('missing FILE');
  format ??= out ? extname(out).slice(1).toLowerCase() : 'dot';
  if (!FORMATS.has(format)) throw new UsageError(`cannot tell the output format from '${out}': use .dot, .svg or .png, or -T`);
  if (format === 'gv') format = 'dot';
  return { file, out, format, dot };
}

/** Runs the command; returns the exit status (never throws for a user error). */
export function main(argv: readonly string[], io: Io = { stdout: (s) => process.stdout.write(s), stderr: (s) => process.stderr.write(s) }): number {
  let args: Args | 'help';
  try {
    args = parseArgs(argv);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    io.stderr(`tensorgraph-dot: ${e.message}\n${USAGE}\n`);
    return 2;
  }
  if (args === 'help') {
    io.stdout(`${USAGE}\n`);
    return 0;
  }
  let text: string;
  try {
    const loaded = loadGraphFile(args.file);
    for (const w of loaded.warnings) io.stderr(`tensorgraph-dot: warning: ${w}\n`);
    text = nodesToDot(loaded.nodes, args.dot);
  } catch (e) {
    if (!(e instanceof OpError)) throw e;
    io.stderr(`tensorgraph-dot: ${e.name}: ${e.message}\n`);
    return 1;
  }
  if (args.format === 'dot') {
    if (args.out) writeFileSync(args.out, text);
    else io.stdout(text);
    return 0;
  }
  const outArgs = args.out ? ['-o', args.out] : [];
  const r = spawnSync('dot', [`-T${args.format}`, ...outArgs], { input: text, maxBuffer: 1 << 30, stdio: ['pipe', args.out ? 'inherit' : 'pipe', 'pipe'] });
  if (r.error) {
    const missing = (r.error as NodeJS.ErrnoException).code === 'ENOENT';
    io.stderr(missing
      ? "tensorgraph-dot: Graphviz 'dot' was not found on PATH; install Graphviz (Debian/Ubuntu: apt-get install graphviz) or write DOT with -o OUT.dot\n"
      : `tensorgraph-dot: cannot run Graphviz 'dot': ${r.error.message}\n`);
    return 1;
  }
  if (r.status !== 0) {
    io.stderr(`tensorgraph-dot: Graphviz 'dot -T${args.format}' failed (exit ${r.status ?? r.signal}): ${String(r.stderr).trim()}\n`);
    return 1;
  }
  if (!args.out) process.stdout.write(r.stdout);
  return 0;
}
