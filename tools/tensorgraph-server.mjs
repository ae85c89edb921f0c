#!/usr/bin/env node
// npx tensorgraph-server --cluster ps=127.0.0.1:2221 --cluster worker=127.0.0.1:2222,127.0.0.1:2223
//   --job ps --task 0 [--inter-op N] [--intra-op N] [--step-ttl-ms N] [--isolate-session-state]
// Serves one task of the cluster (tf.train.Server) until SIGINT/SIGTERM; prints
// "listening grpc://host:port" once bound (port 0 in the cluster: any free port). Without
// --cluster, the cluster and task come from TF_CONFIG ({"cluster": {...}, "task": {"type",
// "index"}}), as TF's estimators read them. --isolate-session-state: every session on this
// server gets resources of its own (ConfigProto.isolateSessionState as the server's default).
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const usage = 'usage: tensorgraph-server --cluster JOB=HOST:PORT[,HOST:PORT...] [--cluster ...] --job JOB --task INDEX [--inter-op N] [--intra-op N] [--step-ttl-ms N] [--isolate-session-state]';
const cluster = {};
const opts = {};
const args = process.argv.slice(2);
function fail(msg) {
  console.error(`tensorgraph-server: ${msg}\n${usage}`);
  process.exit(2);
}
for (let i = 0; i < args.length; i++) {
  const [flag, inline] = args[i].split(/=(.*)/s, 2);
  const value = () => {
    const v = inline ?? args[++i];
    if (v === undefined) fail(`${flag} needs a value`);
    return v;
  };
  const int = (v) => {
    if (!/^\d+$/.test(v)) fail(`${flag} needs a non-negative integer, got '${v}'`);
    return Number(v);
  };
  if (flag === '--cluster') {
    const spec = value();
    const eq = spec.indexOf('=');
    if (eq <= 0) fail(`--cluster takes JOB=HOST:PORT[,...], got '${spec}'`);
    cluster[spec.slice(0, eq)] = spec.slice(eq + 1).split(',').filter((a) => a.length > 0);
  } else if (flag === '--job') opts.jobName = value();
  else if (flag === '--task') opts.taskIndex = int(value());
  else if (flag === '--inter-op') opts.inter = int(value());
  else if (flag === '--intra-op') opts.intra = int(value());
  else if (flag === '--step-ttl-ms') opts.stepTtlMs = int(value());
  else if (flag === '--isolate-session-state' && inline === undefined) opts.isolate = true;
  else if (flag === '-h' || flag === '--help') {
    console.log(usage);
    process.exit(0);
  } else fail(`unknown argument ${args[i]}`);
}
if (Object.keys(cluster).length === 0 && process.env.TF_CONFIG) {
  let config;
  try {
    config = JSON.parse(process.env.TF_CONFIG);
  } catch (e) {
    fail(`TF_CONFIG is not JSON: ${e.message}`);
  }
  Object.assign(cluster, config.cluster ?? {});
  opts.jobName ??= config.task?.type;
  opts.taskIndex ??= config.task?.index;
}
if (Object.keys(cluster).length === 0) fail('--cluster (or TF_CONFIG) is required');

const index = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'index.js');
if (!existsSync(index)) fail(`${index} is missing: build the package first (npm run build)`);
const tf = await import(pathToFileURL(index).href);
let server;
try {
  server = new tf.train.Server(cluster, {
    jobName: opts.jobName,
    taskIndex: opts.taskIndex,
    config: { interOpParallelismThreads: opts.inter, intraOpParallelismThreads: opts.intra, isolateSessionState: opts.isolate },
    stepTtlMs: opts.stepTtlMs,
  });
} catch (e) {
  console.error(`tensorgraph-server: ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`);
  process.exit(1);
}
console.log(`listening ${server.target}`);
const stop = () => server.stop();
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
await server.joinAsync();
