// tensorgraph-board load time for a 50k-point run.
//   npx tsx bench/viewer.ts [--points 50000] [--rounds 5]
// Writes one run with `points` scalar events (tag 'loss') plus the graph, then reports
// (median of --rounds): the first /data/runs of a fresh server (reads and decodes the whole
// event file), /data/scalars once read (JSON of the 50k points), reading 1k appended points,
// and in headless Chromium the page load until the chart is drawn, and a smoothing change.
import { existsSync, mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBoard } from '../dist/viewer/server.js';
import { EventLog, eventFile, mlpGraphNodes } from '../test/viewer_logdir.js';

const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i < 0 ? dflt : Number(process.argv[i + 1]);
};
const points = arg('points', 50_000);
const rounds = arg('rounds', 5);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const ms = (t0: bigint) => Number(process.hrtime.bigint() - t0) / 1e6;

const logdir = mkdtempSync(join(tmpdir(), 'tg-viewer-bench-'));
const path = eventFile(join(logdir, 'run'));
const log = new EventLog(path).graph(mlpGraphNodes());
for (let step = 0; step < points; step++) log.scalar(step, 'loss', Math.exp(-step / points) + 0.01 * Math.sin(step));
log.flush();
console.log(`one run, ${points} scalar events, ${(statSync(path).size / 1e6).toFixed(2)} MB event file; median of ${rounds} rounds`);

const cold: number[] = [];
const scalars: number[] = [];
const append: number[] = [];
let bytes = 0;
for (let r = 0; r < rounds; r++) {
  const board = await startBoard({ logdir, port: 0, scanIntervalMs: 0 });
  let t0 = process.hrtime.bigint();
  await (await fetch(`${board.url}data/runs`)).json();
  cold.push(ms(t0));
  t0 = process.hrtime.bigint();
  const body = await (await fetch(`${board.url}data/scalars?run=run&tag=loss`)).text();
  scalars.push(ms(t0));
  bytes = body.length;
  for (let i = 0; i < 1000; i++) log.scalar(points + r * 1000 + i, 'loss', 0.5);
  log.flush();
  t0 = process.hrtime.bigint();
  await (await fetch(`${board.url}data/runs`)).json();
  append.push(ms(t0));
  await board.close();
}
console.log(`server: first /data/runs (read + decode the file) ${median(cold).toFixed(1)} ms`);
console.log(`server: /data/scalars, ${points}+ points (${(bytes / 1e6).toFixed(2)} MB JSON) ${median(scalars).toFixed(1)} ms`);
console.log(`server: /data/runs after 1000 appended events ${median(append).toFixed(1)} ms`);

if (!existsSync('/usr/bin/chromium')) {
  console.log('page: /usr/bin/chromium missing, skipped');
} else {
  const { default: puppeteer } = await import('puppeteer-core');
  const board = await startBoard({ logdir, port: 0 });
  const browser = await puppeteer.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--headless=new'] });
  const load: number[] = [];
  const resmooth: number[] = [];
  try {
    for (let r = 0; r < rounds; r++) {
      const page = await browser.newPage();
      await page.setViewport({ width: 1200, height: 800 });
      await page.goto(board.url);
      // From navigation start until the first render (runs, scalars fetched, chart drawn) finished.
      load.push(await page.evaluate(async () => {
        await (globalThis as any).board.ready;
        return performance.now();
      }));
      resmooth.push(await page.evaluate(async () => {
        const t0 = performance.now();
        const g = globalThis as any;
        const s = g.document.getElementById('smoothing');
        s.value = '0.9';
        s.dispatchEvent(new g.Event('input'));
        await g.board.idle();
        await new Promise((r) => g.requestAnimationFrame(r));
        return performance.now() - t0;
      }));
      await page.close();
    }
  } finally {
    await browser.close();
    await board.close();
  }
  console.log(`page: load until the ${points}-point chart is drawn ${median(load).toFixed(0)} ms (navigation start to first render)`);
  console.log(`page: smoothing change, re-smooth and redraw ${median(resmooth).toFixed(0)} ms`);
}
log.close();
