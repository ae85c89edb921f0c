// Regenerates docs/viewer.png (scalars) and docs/viewer-graph.png (graph, a scope expanded,
// an op's details) from a demo logdir: `npx tsx tools/screenshot-viewer.ts` after a build.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import puppeteer from 'puppeteer-core';
import { startBoard } from '../dist/viewer/server.js';
import { writeDemoRun } from '../test/viewer_logdir.js';

const docs = join(dirname(fileURLToPath(import.meta.url)), '..', 'docs');
const logdir = mkdtempSync(join(tmpdir(), 'tg-viewer-shot-'));
writeDemoRun(join(logdir, 'train'), 3000, 1, 300);
writeDemoRun(join(logdir, 'eval'), 2000, 7, 200);

const board = await startBoard({ logdir, port: 0 });
const browser = await puppeteer.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--headless=new'] });
try {
  const page = await browser.newPage();
  await page.setViewport({ width: 1200, height: 800 });
  await page.goto(board.url, { waitUntil: 'networkidle0' });
  await page.evaluate(() => (globalThis as any).board.ready);
  await page.screenshot({ path: join(docs, 'viewer.png') });

  await page.click('#tabs button[data-tab=graph]');
  await page.select('#graph-run', 'train');
  await page.waitForFunction(() => (globalThis as any).cy?.getElementById('scope:hidden').length === 1);
  const click = async (id: string) => {
    const at = await page.evaluate((nid) => {
      const cy = (globalThis as any).cy;
      const p = cy.getElementById(nid).renderedPosition();
      const box = cy.container().getBoundingClientRect();
      return { x: box.left + p.x, y: box.top + p.y };
    }, id);
    await page.mouse.click(at.x, at.y);
  };
  await click('scope:hidden');
  await page.waitForFunction(() => (globalThis as any).cy.getElementById('op:hidden/MatMul').length === 1);
  await click('op:hidden/MatMul');
  await page.waitForSelector('#node-details:not([hidden])');
  await page.screenshot({ path: join(docs, 'viewer-graph.png') });
  console.log(`wrote ${join(docs, 'viewer.png')} and viewer-graph.png`);
} finally {
  await browser.close();
  await board.close();
}
