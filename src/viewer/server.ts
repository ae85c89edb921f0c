// tensorgraph-board's HTTP server (node:http): the page from src/viewer/static, the few
// browser builds it imports straight from node_modules, and JSON routes over a logdir.
// Only whitelisted files and data read from event files under the logdir are ever served.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { dirname, isAbsolute, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InvalidArgumentError, NotFoundError } from '../framework/errors.js';
import { graphToJson, type GraphNodeJson } from './graph_json.js';
import { Logdir, type Run } from './runs.js';

export interface BoardOptions {
  logdir: string;
  /** 6006 by default; 0 picks a free port. */
  port?: number;
  /** 127.0.0.1 by default: the board is not reachable from other machines unless asked. */
  host?: string;
  /** How often the logdir tree is walked for new runs and files (ms; appended bytes are read on every request). */
  scanIntervalMs?: number;
}

export interface Board {
  readonly url: string;
  readonly host: string;
  readonly port: number;
  close(): Promise<void>;
}

/** <package root>: src/viewer/ and dist/viewer/ are two levels below it. */
const packageRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
};

/** URL path -> file: the page's own files and the exact library builds it imports. */
function staticFiles(): Map<string, string> {
  const files = new Map<string, string>();
  const dir = join(packageRoot, 'src', 'viewer', 'static');
  for (const f of readdirSync(dir)) if (statSync(join(dir, f)).isFile()) files.set(`/${f}`, join(dir, f));
  files.set('/', join(dir, 'index.html'));
  const require = createRequire(import.meta.url);
  const dist = (pkg: string) => dirname(require.resolve(pkg));
  files.set('/lib/uPlot.esm.js', join(dist('uplot'), 'uPlot.esm.js'));
  files.set('/lib/uPlot.min.css', join(dist('uplot'), 'uPlot.min.css'));
  files.set('/lib/cytoscape.esm.min.mjs', join(dist('cytoscape'), 'cytoscape.esm.min.mjs'));
  // cytoscape-dagre 4 carries its own build of dagre (no separate dagre file to serve).
  files.set('/lib/cytoscape-dagre.mjs', join(dist('cytoscape-dagre'), 'cytoscape-dagre.mjs'));
  return files;
}

class HttpError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

/** '..' as a path segment, in any encoding the URL might carry it. */
function hasDotDot(s: string): boolean {
  return s.split(/[\\/]/).some((seg) => seg === '..');
}

function decoded(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    throw new HttpError(400, 'malformed URL encoding');
  }
}

/** A run name from the query: a relative name of a run that exists. */
function runParam(logdir: Logdir, q: URLSearchParams): Run {
  const name = q.get('run');
  if (name === null || name === '') throw new HttpError(400, "missing query parameter 'run'");
  if (name.includes('\0') || isAbsolute(name) || /^[a-zA-Z]:/.test(name) || hasDotDot(name)) throw new HttpError(400, `invalid run name ${JSON.stringify(name)}`);
  const run = logdir.get(name);
  if (!run) throw new HttpError(404, `no run ${JSON.stringify(name)}`);
  return run;
}

function tagParam(q: URLSearchParams): string {
  const tag = q.get('tag');
  if (tag === null || tag === '') throw new HttpError(400, "missing query parameter 'tag'");
  return tag;
}

function runsJson(logdir: Logdir) {
  return logdir.list().map((r) => ({
    name: r.name,
    version: r.version,
    graphVersion: r.graphVersion,
    scalarTags: [...r.scalars.keys()].sort(),
    histogramTags: [...r.histograms.keys()].sort(),
    hasGraph: r.graph !== undefined,
    warnings: r.warnings().length,
  }));
}

export function startBoard(options: BoardOptions): Promise<Board> {
  const { logdir: dir, port = 6006, host = '127.0.0.1', scanIntervalMs = 1000 } = options;
  if (!dir) throw new InvalidArgumentError(undefined, undefined, 'tensorgraph-board: --logdir DIR is required');
  let isDir = false;
  try {
    isDir = statSync(dir).isDirectory();
  } catch { /* reported below */ }
  if (!isDir) throw new NotFoundError(undefined, undefined, `tensorgraph-board: logdir ${dir} is not a directory`);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new InvalidArgumentError(undefined, undefined, `tensorgraph-board: port must be an integer in 0..65535, got ${port}`);

  const logdir = new Logdir(dir, scanIntervalMs);
  const files = staticFiles();
  const graphCache = new WeakMap<Run, { version: number; json: { nodes: GraphNodeJson[]; step: number; wallTime: number } }>();

  const data = (path: string, q: URLSearchParams): unknown => {
    logdir.refresh();
    switch (path) {
      case '/data/runs':
        return runsJson(logdir);
      case '/data/scalars': {
        const run = runParam(logdir, q);
        const tag = tagParam(q);
        const s = run.scalars.get(tag);
        if (!s) throw new HttpError(404, `run ${run.name} has no scalar ${JSON.stringify(tag)}`);
        return { run: run.name, tag, steps: s.steps, wallTimes: s.wallTimes, values: s.values };
      }
      case '/data/histograms': {
        const run = runParam(logdir, q);
        const tag = tagParam(q);
        const h = run.histograms.get(tag);
        if (!h) throw new HttpError(404, `run ${run.name} has no histogram ${JSON.stringify(tag)}`);
        return { run: run.name, tag, histograms: h };
      }
      case '/data/graph': {
        const run = runParam(logdir, q);
        if (!run.graph) throw new HttpError(404, `run ${run.name} has no graph`);
        let cached = graphCache.get(run);
        if (!cached || cached.version !== run.graphVersion) {
          try {
            cached = { version: run.graphVersion, json: graphToJson(run.graph) };
          } catch (e) {
            throw new HttpError(422, `the graph of run ${run.name} cannot be decoded: ${(e as Error).message}`);
          }
          graphCache.set(run, cached);
        }
        return { run: run.name, ...cached.json };
      }
      case '/data/warnings': {
        if (q.get('run') === null) return logdir.list().map((r) => ({ run: r.name, warnings: r.warnings() }));
        const run = runParam(logdir, q);
        return { run: run.name, warnings: run.warnings() };
      }
      default:
        throw new HttpError(404, `no route ${path}`);
    }
  };

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const raw = req.url ?? '/';
    const qAt = raw.indexOf('?');
    const rawPath = qAt < 0 ? raw : raw.slice(0, qAt);
    const path = decoded(rawPath);
    if (req.method !== 'GET' && req.method !== 'HEAD') throw new HttpError(405, `method ${req.method} not allowed`);
    // Refused before any lookup, whatever the route: '..' segments (plain or encoded, '/' or '\\' separated), NUL.
    if (hasDotDot(path) || path.includes('\0') || !path.startsWith('/')) throw new HttpError(400, 'invalid path');
    const q = new URLSearchParams(qAt < 0 ? '' : raw.slice(qAt + 1));
    if (path.startsWith('/data/')) {
      const body = JSON.stringify(data(path, q));
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' });
      res.end(req.method === 'HEAD' ? undefined : body);
      return;
    }
    const file = files.get(path);
    if (!file) throw new HttpError(404, `not found: ${path}`);
    const ext = file.slice(file.lastIndexOf('.'));
    const body = readFileSync(file);
    res.writeHead(200, { 'content-type': TYPES[ext] ?? 'application/octet-stream', 'x-content-type-options': 'nosniff' });
    res.end(req.method === 'HEAD' ? undefined : body);
  };

  const server: Server = createServer((req, res) => {
    try {
      handle(req, res);
    } catch (e) {
      const status = e instanceof HttpError ? e.status : 500;
      if (!(e instanceof HttpError)) console.error('tensorgraph-board:', e);
      if (!res.headersSent) res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'x-content-type-options': 'nosniff' });
      res.end(JSON.stringify({ error: e instanceof Error ? e.message : String(e) }));
    }
  });

  return new Promise((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) => {
      const msg = e.code === 'EADDRINUSE' ? `port ${port} on ${host} is in use (try --port)` : e.message;
      reject(new InvalidArgumentError(undefined, undefined, `tensorgraph-board: cannot listen on ${host}:${port}: ${msg}`));
    });
    server.listen(port, host, () => {
      const addr = server.address() as AddressInfo;
      const shown = addr.family === 'IPv6' || host.includes(':') ? `[${addr.address}]` : host;
      resolve({
        url: `http://${shown}:${addr.port}/`,
        host: addr.address,
        port: addr.port,
        close: () => new Promise<void>((ok) => {
          server.closeAllConnections();
          server.close(() => ok());
        }),
      });
    });
  });
}
