// tensorgraph-board: the JSON routes over a logdir this test writes (values, a growing file, a
// truncated tail, a corrupt record, path traversal refused), and the page in headless Chromium.
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import * as tf from 'tensorgraph';
import { encodeEvent, EventLog, eventFile, mlpGraphNodes, writeDemoRun } from './viewer_logdir.js';

const CHROMIUM = '/usr/bin/chromium';
const root = mkdtempSync(join(tmpdir(), 'tg-viewer-'));
const logdir = join(root, 'logs');
const outside = join(root, 'outside');
mkdirSync(logdir);

// ---------- the logdir ----------

// 'values': known scalars, a histogram and the graph.
const valuesLog = new EventLog(eventFile(join(logdir, 'values')), 1000).graph(mlpGraphNodes(), 1000);
[2, 1, 0.5, 0.25].forEach((v, step) => valuesLog.scalar(step, 'loss', v, 1000 + 10 * step));
valuesLog.scalar(1, 'lr', 0.125, 1010);
valuesLog.histogram(7, 'w', [-0.75, -0.25, 0.1, 0.3, 0.3], 1070);
valuesLog.close();

// 'demo': a training-like run for the page.
writeDemoRun(join(logdir, 'demo'), 300, 3, 50);

// 'corrupt': 5 scalars, the 3rd record's data damaged.
const corruptPath = eventFile(join(logdir, 'corrupt'));
const corruptLog = new EventLog(corruptPath);
for (let i = 0; i < 5; i++) corruptLog.scalar(i, 'x', i);
corruptLog.close();
{
  const lengths = [...tf.io.tfRecordIterator(corruptPath)].map((r) => r.length + 16);
  const bytes = readFileSync(corruptPath);
  const third = lengths[0] + lengths[1] + lengths[2]; // records: file_version, x@0, x@1, x@2 (damaged), ...
  bytes[third + 12 + 2] ^= 0xff;
  writeFileSync(corruptPath, bytes);
}

// A run outside the logdir, reachable only through symlinks.
const outsideLog = new EventLog(eventFile(outside));
outsideLog.scalar(0, 'secret', 42).close();
symlinkSync(outside, join(logdir, 'linked_dir'));
mkdirSync(join(logdir, 'linked_file'));
symlinkSync(eventFile(outside), join(logdir, 'linked_file', 'events.out.tfevents.1.link'));

// ---------- the server ----------

let board: ChildProcess;
let base = '';

test.before(async () => {
  board = spawn(process.execPath, ['tools/tensorgraph-board.mjs', '--logdir', logdir, '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  base = await new Promise<string>((resolve, reject) => {
    let out = '';
    board.stdout!.on('data', (d) => {
      out += d;
      const m = /at (http:\/\/127\.0\.0\.1:\d+)\//.exec(out);
      if (m) resolve(m[1]);
    });
    board.stderr!.on('data', (d) => { out += d; });
    board.on('exit', (code) => reject(new Error(`tensorgraph-board exited (${code}): ${out}`)));
  });
});

test.after.always(() => {
  board?.kill('SIGINT');
});

/** GET with the path sent exactly as given (no URL normalisation, unlike fetch). */
function get(path: string): Promise<{ status: number; body: string }> {
  const u = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request({ host: u.hostname, port: u.port, path, method: 'GET' }, (res) => {
      let body = '';
      res.on('data', (d) => { body += d; });
      res.on('end', () => resolve({ status: res.statusCode!, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

async function json<T = any>(path: string): Promise<T> {
  const r = await get(path);
  if (r.status !== 200) throw new Error(`${path}: ${r.status} ${r.body}`);
  return JSON.parse(r.body) as T;
}

/** Polls `fn` until it returns true (the server walks the logdir about once a second). */
async function until(what: string, fn: () => Promise<boolean>, ms = 8000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await fn())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

const scalars = (run: string, tag: string) => json(`/data/scalars?run=${encodeURIComponent(run)}&tag=${encodeURIComponent(tag)}`);

// ---------- routes ----------

test('binds 127.0.0.1 and lists one run per event file directory', async (t) => {
  t.regex(base, /^http:\/\/127\.0\.0\.1:\d+$/);
  const runs = await json<{ name: string; scalarTags: string[]; histogramTags: string[]; hasGraph: boolean }[]>('/data/runs');
  const names = runs.map((r) => r.name);
  for (const n of ['corrupt', 'demo', 'values']) t.true(names.includes(n), n);
  const values = runs.find((r) => r.name === 'values')!;
  t.deepEqual(values.scalarTags, ['loss', 'lr']);
  t.deepEqual(values.histogramTags, ['w']);
  t.true(values.hasGraph);
});

test('scalars: steps, wall times and values as written', async (t) => {
  t.deepEqual(await scalars('values', 'loss'), { run: 'values', tag: 'loss', steps: [0, 1, 2, 3], wallTimes: [1000, 1010, 1020, 1030], values: [2, 1, 0.5, 0.25] });
  t.deepEqual((await scalars('values', 'lr')).values, [0.125]);
  t.is((await get('/data/scalars?run=values&tag=nope')).status, 404);
  t.is((await get('/data/scalars?run=nope&tag=loss')).status, 404);
  t.is((await get('/data/scalars?run=values')).status, 400);
});

test('histograms: the recorded buckets', async (t) => {
  const h = await json('/data/histograms?run=values&tag=w');
  t.is(h.histograms.length, 1);
  const e = h.histograms[0];
  t.like(e, { step: 7, wallTime: 1070, min: -0.75, max: 0.3, num: 5 });
  t.true(Math.abs(e.sum - (-0.75 - 0.25 + 0.1 + 0.3 + 0.3)) < 1e-12);
  t.is(e.bucket.reduce((a: number, b: number) => a + b, 0), 5);
  t.is(e.bucket.length, e.bucketLimit.length);
});

test('graph: nodes with op, inputs, device and readable attrs', async (t) => {
  const g = await json('/data/graph?run=values');
  t.is(g.nodes.length, mlpGraphNodes().length);
  const byName = new Map<string, any>(g.nodes.map((n: any) => [n.name, n]));
  t.deepEqual(byName.get('hidden/MatMul'), {
    name: 'hidden/MatMul', op: 'MatMul', inputs: ['input/x', 'hidden/weights/read'], device: '/job:localhost/replica:0/task:0/device:GPU:0',
    attrs: { T: 'DT_FLOAT', transpose_a: 'false', transpose_b: 'false' },
  });
  t.is(byName.get('input/x').attrs.shape, '[?,784]');
  t.is(byName.get('loss/Const').attrs.value, 'DT_INT32 [1] [0]');
  t.deepEqual(byName.get('init').inputs, ['^hidden/weights', '^hidden/biases', '^softmax_linear/weights']);
  t.is((await get('/data/graph?run=corrupt')).status, 404);
});

test('a growing event file and a new run are picked up', async (t) => {
  const log = new EventLog(eventFile(join(logdir, 'grow')));
  log.scalar(0, 'g', 1).scalar(1, 'g', 2).flush();
  await until('run grow', async () => (await get('/data/scalars?run=grow&tag=g')).status === 200);
  t.deepEqual((await scalars('grow', 'g')).values, [1, 2]);
  log.scalar(2, 'g', 3).scalar(3, 'g', 4).flush();
  await until('appended scalars', async () => (await scalars('grow', 'g')).values.length === 4);
  t.deepEqual((await scalars('grow', 'g')).steps, [0, 1, 2, 3]);
  // A second file in the same directory joins the run.
  new EventLog(eventFile(join(logdir, 'grow'), 5)).scalar(4, 'g', 5).close();
  await until('second file', async () => (await scalars('grow', 'g')).values.length === 5);
  t.deepEqual((await scalars('grow', 'g')).values, [1, 2, 3, 4, 5]);
  log.close();
});

test('a rewritten event file replaces the run\'s data; a deleted run goes away', async (t) => {
  const path = eventFile(join(logdir, 'rewrite'));
  new EventLog(path).scalar(0, 'r', 1).scalar(1, 'r', 2).scalar(2, 'r', 3).close();
  await until('run rewrite', async () => (await get('/data/scalars?run=rewrite&tag=r')).status === 200);
  t.deepEqual((await scalars('rewrite', 'r')).values, [1, 2, 3]);
  rmSync(path);
  new EventLog(path).scalar(0, 'r', 7).histogram(0, 'h', [1, 2]).scalar(1, 'r', 8).close();
  await until('rewritten file', async () => (await scalars('rewrite', 'r')).values[0] === 7);
  t.deepEqual((await scalars('rewrite', 'r')).values, [7, 8]);
  t.deepEqual((await json('/data/warnings?run=rewrite')).warnings, []);
  rmSync(join(logdir, 'rewrite'), { recursive: true });
  await until('run removed', async () => !(await json<{ name: string }[]>('/data/runs')).some((r) => r.name === 'rewrite'));
  t.is((await get('/data/scalars?run=rewrite&tag=r')).status, 404);
});

test('a truncated last record: what precedes it is shown, with a warning until the rest arrives', async (t) => {
  const path = eventFile(join(logdir, 'trunc'));
  new EventLog(path).scalar(0, 't', 10).scalar(1, 't', 11).close();
  // The next record, framed by TFRecordWriter, split in two appends.
  const spare = join(root, 'spare.tfrecord');
  const w = new tf.io.TFRecordWriter(spare);
  w.write(encodeEvent({ wallTime: 1, step: 2, summary: { value: [{ tag: 't', simpleValue: 12 }] } }));
  w.close();
  const framed = readFileSync(spare);
  appendFileSync(path, framed.subarray(0, 20));
  await until('run trunc', async () => (await get('/data/scalars?run=trunc&tag=t')).status === 200);
  t.deepEqual((await scalars('trunc', 't')).values, [10, 11]);
  const w1 = await json('/data/warnings?run=trunc');
  t.is(w1.warnings.length, 1);
  t.regex(w1.warnings[0], /ends inside the record/);
  appendFileSync(path, framed.subarray(20));
  await until('completed record', async () => (await scalars('trunc', 't')).values.length === 3);
  t.deepEqual((await scalars('trunc', 't')).values, [10, 11, 12]);
  t.deepEqual((await json('/data/warnings?run=trunc')).warnings, []);
});

test('a corrupt record: the events before it, and a warning naming it', async (t) => {
  t.deepEqual(await scalars('corrupt', 'x'), { run: 'corrupt', tag: 'x', steps: [0, 1], wallTimes: [1_700_000_000, 1_700_000_001], values: [0, 1] });
  const w = await json('/data/warnings?run=corrupt');
  t.is(w.warnings.length, 1);
  t.regex(w.warnings[0], /corrupted record at \d+ \(data CRC mismatch\); events after it are not shown/);
  const runs = await json<{ name: string; warnings: number }[]>('/data/runs');
  t.is(runs.find((r) => r.name === 'corrupt')!.warnings, 1);
  t.is(runs.find((r) => r.name === 'values')!.warnings, 0);
});

test('path traversal is refused; only the page, its libraries and logdir data are served', async (t) => {
  const refused = [
    '/../package.json', '/lib/../../package.json', '/%2e%2e/package.json', '/%2E%2E%2Fpackage.json', '/lib/%2e%2e/%2e%2e/package.json',
    '/..%5cpackage.json', '/%2e%2e%5c%2e%2e%5cpackage.json',
    '/data/scalars?run=../outside&tag=secret', '/data/scalars?run=%2e%2e%2foutside&tag=secret', '/data/scalars?run=values%2F..%2F..%2Foutside&tag=secret',
    `/data/scalars?run=${encodeURIComponent(outside)}&tag=secret`, '/data/graph?run=/etc', '/data/warnings?run=..',
    '//etc/passwd', '/etc/passwd', '/package.json', '/src/viewer/server.ts', '/node_modules/uplot/package.json', '/lib/uPlot.cjs.js',
    '/data/scalars?run=linked_dir&tag=secret', '/data/scalars?run=linked_file&tag=secret',
  ];
  for (const path of refused) {
    const r = await get(path);
    t.true(r.status === 400 || r.status === 404, `${path}: ${r.status}`);
    t.false(r.body.includes('"secret"') || r.body.includes('root:') || r.body.includes('"name": "tensorgraph"'), path);
  }
  const runs = await json<{ name: string; scalarTags: string[] }[]>('/data/runs');
  t.false(runs.some((r) => r.name.startsWith('linked') || r.scalarTags.includes('secret')));
  for (const ok of ['/', '/app.js', '/style.css', '/lib/uPlot.esm.js', '/lib/uPlot.min.css', '/lib/cytoscape.esm.min.mjs', '/lib/cytoscape-dagre.mjs']) {
    t.is((await get(ok)).status, 200, ok);
  }
});

test('the command line: a missing logdir is an error, not a crash', async (t) => {
  const run = (args: string[]) => new Promise<{ code: number | null; err: string }>((resolve) => {
    const p = spawn(process.execPath, ['tools/tensorgraph-board.mjs', ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    p.stderr!.on('data', (d) => { err += d; });
    p.on('exit', (code) => resolve({ code, err }));
  });
  const none = await run([]);
  t.is(none.code, 2);
  t.regex(none.err, /--logdir DIR is required/);
  const missing = await run(['--logdir', join(root, 'nope')]);
  t.is(missing.code, 1);
  t.regex(missing.err, /is not a directory/);
});

test('a logdir written by tf.summary.FileWriter: its graph and summaries', async (t) => {
  const g = new tf.Graph();
  g.asDefault(() => {
    const x = tf.placeholder('float32', { shape: [null, 3], name: 'x' });
    tf.nameScope('layer', () => tf.matmul(x, tf.constant([[1], [2], [3]], { dtype: 'float32' }), { name: 'mm' }));
  });
  const w = new tf.summary.FileWriter(join(logdir, 'filewriter'), g);
  for (let step = 0; step < 3; step++) w.addSummary({ value: [{ tag: 'fw/loss', simpleValue: 1 / (step + 1) }] }, step);
  w.close();
  await until('run filewriter', async () => (await get('/data/scalars?run=filewriter&tag=fw%2Floss')).status === 200);
  const s = await scalars('filewriter', 'fw/loss');
  t.deepEqual(s.steps, [0, 1, 2]);
  t.deepEqual(s.values.map((v: number) => Math.fround(v)), [1, 0.5, 1 / 3].map(Math.fround));
  const nodes = new Map<string, any>((await json('/data/graph?run=filewriter')).nodes.map((n: any) => [n.name, n]));
  t.is(nodes.get('layer/mm')?.op, 'MatMul');
  t.is(nodes.get('x')?.attrs.dtype, 'DT_FLOAT');
  t.is(nodes.get('x')?.attrs.shape, '[?,3]');
});

// ---------- the page ----------

test('the page in headless Chromium: curves, warnings, expanding a scope, an op\'s details, search', async (t) => {
  if (!existsSync(CHROMIUM)) {
    t.log(`${CHROMIUM} is missing (Debian package chromium): page test skipped`);
    t.pass();
    return;
  }
  const { default: puppeteer } = await import('puppeteer-core');
  const browser = await puppeteer.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--headless=new'] });
  try {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.setViewport({ width: 1200, height: 800 });
    await page.goto(`${base}/`, { waitUntil: 'networkidle0' });
    await page.evaluate(() => (globalThis as any).board.ready);

    // Scalars: a chart (canvas) per tag, titled by tag.
    const titles = await page.$$eval('#scalar-charts .tag-title', (els) => els.map((e) => e.textContent));
    for (const tag of ['accuracy', 'loss', 'lr', 'x']) t.true(titles.includes(tag), tag);
    t.true((await page.$$('#scalar-charts canvas')).length >= titles.length);
    // The corrupt run's warning is on screen.
    t.true(await page.$eval('#warnings', (el) => !(el as any).hidden && (el as any).offsetHeight > 0));
    t.regex(await page.$eval('#warnings', (el) => el.textContent ?? ''), /corrupt: .*corrupted record at \d+/);
    // Other x axes and no smoothing redraw the charts; unchecking a run drops its only tag.
    await page.click('input[name=xaxis][value=relative]');
    await page.click('input[name=xaxis][value=wall]');
    await page.$eval('#smoothing', (el: any) => { el.value = '0'; el.dispatchEvent(new (globalThis as any).Event('input')); });
    await page.evaluate(() => (globalThis as any).board.idle());
    t.is((await page.$$('#scalar-charts canvas')).length, titles.length);
    await page.click('#runs input[data-run=values]');
    await page.waitForFunction(() => ![...(globalThis as any).document.querySelectorAll('#scalar-charts .tag-title')].some((e: any) => e.textContent === 'lr'));
    await page.click('#runs input[data-run=values]');
    await page.waitForFunction(() => [...(globalThis as any).document.querySelectorAll('#scalar-charts .tag-title')].some((e: any) => e.textContent === 'lr'));
    // Auto-refresh: a run that appears while the page is open shows up by itself.
    new EventLog(eventFile(join(logdir, 'late'))).scalar(0, 'late_tag', 1).scalar(1, 'late_tag', 2).close();
    await page.waitForFunction(() => [...(globalThis as any).document.querySelectorAll('#scalar-charts .tag-title')].some((e: any) => e.textContent === 'late_tag'), { timeout: 15000 });
    t.true(await page.$eval('#runs', (el) => el.textContent!.includes('late')));

    // Histograms: one chart per run and tag.
    await page.click('#tabs button[data-tab=histograms]');
    await page.waitForFunction(() => [...(globalThis as any).document.querySelectorAll('#histogram-charts .tag-title')].some((e: any) => e.textContent === 'w — values'));
    t.true((await page.$$('#histogram-charts canvas')).length >= 2);

    // Graph of 'values': scopes start collapsed.
    await page.click('#tabs button[data-tab=graph]');
    await page.select('#graph-run', 'values');
    await page.waitForFunction(() => (globalThis as any).board.tabs.graph.run === 'values' && (globalThis as any).cy?.$('#scope\\:hidden').length === 1);
    t.false(await page.evaluate(() => (globalThis as any).cy.getElementById('op:hidden/MatMul').length > 0));
    const clickNode = async (id: string) => {
      const at = await page.evaluate((nid) => {
        const cy = (globalThis as any).cy;
        const n = cy.getElementById(nid);
        const p = n.renderedPosition();
        const box = cy.container().getBoundingClientRect();
        // Compound (expanded) nodes are clicked on their label band at the top.
        return { x: box.left + p.x, y: box.top + p.y };
      }, id);
      await page.mouse.click(at.x, at.y);
    };
    await clickNode('scope:hidden');
    await page.waitForFunction(() => (globalThis as any).cy.getElementById('op:hidden/MatMul').length === 1);
    t.is(await page.evaluate(() => (globalThis as any).cy.getElementById('op:hidden/MatMul').data('parent')), 'scope:hidden');
    t.true(await page.evaluate(() => (globalThis as any).cy.getElementById('scope:hidden').hasClass('expanded')));

    await clickNode('op:hidden/MatMul');
    await page.waitForSelector('#node-details:not([hidden])');
    const details = await page.$eval('#node-details', (el) => Object.fromEntries([...el.querySelectorAll('tr')].map((tr) => [tr.dataset.key, tr.cells[1].textContent])));
    t.is(await page.$eval('#node-details h3', (el) => el.textContent), 'hidden/MatMul');
    t.like(details, { op: 'MatMul', device: '/job:localhost/replica:0/task:0/device:GPU:0', inputs: 'input/x\nhidden/weights/read', 'attr T': 'DT_FLOAT', 'attr transpose_a': 'false' });
    // Ops are coloured by device: the GPU op differs from a CPU one.
    const [gpu, cpu] = await page.evaluate(() => ['op:hidden/MatMul', 'scope:input'].map((id) => (globalThis as any).cy.getElementById(id).data('color')));
    t.not(gpu, cpu);

    // Search expands the match's scope and highlights it.
    await page.type('#graph-search', 'xentropy');
    await page.waitForFunction(() => (globalThis as any).cy.getElementById('op:loss/xentropy').hasClass('match'));
    t.is(await page.$eval('#search-result', (el) => el.textContent), '1 match');
    t.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});
