#!/usr/bin/env node
// npx tensorgraph-board --logdir DIR [--port 6006] [--host 127.0.0.1]: serves the viewer page
// (runs, scalars, histograms, graph) for the event files under DIR until Ctrl-C.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const usage = 'usage: tensorgraph-board --logdir DIR [--port 6006] [--host 127.0.0.1]';
const opts = { port: 6006, host: '127.0.0.1' };
const args = process.argv.slice(2);
for (let i = 0; i < args.length; i++) {
  const [flag, inline] = args[i].split(/=(.*)/s, 2);
  const value = () => {
    const v = inline ?? args[++i];
    if (v === undefined) fail(`${flag} needs a value`);
    return v;
  };
  if (flag === '--logdir') opts.logdir = value();
  else if (flag === '--port') opts.port = Number(value());
  else if (flag === '--host') opts.host = value();
  else if (flag === '-h' || flag === '--help') {
    console.log(usage);
    process.exit(0);
  } else fail(`unknown argument ${args[i]}`);
}
if (!opts.logdir) fail('--logdir DIR is required');

function fail(msg) {
  console.error(`tensorgraph-board: ${msg}\n${usage}`);
  process.exit(2);
}

const server = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'viewer', 'server.js');
if (!existsSync(server)) fail(`${server} is missing: build the package first (npm run build)`);
const { startBoard } = await import(pathToFileURL(server).href);
let board;
try {
  board = await startBoard(opts);
} catch (e) {
  console.error(e instanceof Error ? e.message : String(e));
  process.exit(1);
}
console.log(`tensorgraph-board: serving ${opts.logdir} at ${board.url} (Ctrl-C to stop)`);
const stop = () => board.close().then(() => process.exit(0));
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
