// The board's page: runs (from /data/runs), tabs, auto-refresh; each tab draws itself
// (scalars.js, histograms.js, graph.js) from the JSON routes.
import { ScalarsTab } from '/scalars.js';
import { HistogramsTab } from '/histograms.js';
import { GraphTab } from '/graph.js';
import { getJson } from '/api.js';

const POLL_MS = 5000;
const PALETTE = ['#ff7043', '#0077bb', '#009988', '#ee3377', '#33bbee', '#cc3311', '#bbbbbb', '#aa3377', '#228833', '#4477aa'];

const state = {
  runs: [],
  /** Unchecked runs (new runs start checked, as in TensorBoard). */
  hidden: new Set(),
  colors: new Map(),
  tab: 'scalars',
};

const tabs = {
  scalars: new ScalarsTab(document.getElementById('scalar-charts')),
  histograms: new HistogramsTab(document.getElementById('histogram-charts')),
  graph: new GraphTab(document.getElementById('cy'), document.getElementById('node-details')),
};

const colorOf = (run) => {
  if (!state.colors.has(run)) state.colors.set(run, PALETTE[state.colors.size % PALETTE.length]);
  return state.colors.get(run);
};

function selectedRuns() {
  return state.runs.filter((r) => !state.hidden.has(r.name)).map((r) => ({ ...r, color: colorOf(r.name) }));
}

function drawRunList() {
  const box = document.getElementById('runs');
  if (!state.runs.length) {
    box.innerHTML = '<p class="empty">no runs yet (waiting for event files)</p>';
    return;
  }
  box.replaceChildren(...state.runs.map((r) => {
    const label = document.createElement('label');
    const cb = document.createElement('input');
    cb.type = 'checkbox';
    cb.checked = !state.hidden.has(r.name);
    cb.dataset.run = r.name;
    cb.addEventListener('change', () => {
      if (cb.checked) state.hidden.delete(r.name); else state.hidden.add(r.name);
      renderTab(true);
    });
    const sw = document.createElement('span');
    sw.className = 'run-swatch';
    sw.style.background = colorOf(r.name);
    label.append(cb, sw, r.name);
    if (r.warnings) {
      const w = document.createElement('span');
      w.className = 'run-warn';
      w.title = 'this run has warnings (see the banner)';
      w.textContent = '⚠';
      label.append(w);
    }
    return label;
  }));
  const sel = document.getElementById('graph-run');
  const withGraph = state.runs.filter((r) => r.hasGraph).map((r) => r.name);
  const current = sel.value;
  sel.replaceChildren(...withGraph.map((n) => new Option(n, n)));
  if (withGraph.includes(current)) sel.value = current;
}

async function drawWarnings() {
  const box = document.getElementById('warnings');
  const any = state.runs.some((r) => r.warnings);
  if (!any) {
    box.hidden = true;
    return;
  }
  const all = await getJson('/data/warnings');
  const items = all.flatMap((r) => r.warnings.map((w) => `${r.run}: ${w}`));
  const ul = document.createElement('ul');
  ul.replaceChildren(...items.map((t) => Object.assign(document.createElement('li'), { textContent: t })));
  const title = Object.assign(document.createElement('strong'), { textContent: `⚠ ${items.length} warning${items.length === 1 ? '' : 's'}: some event data could not be read; showing what was readable.` });
  box.replaceChildren(title, ul);
  box.hidden = false;
  document.documentElement.style.setProperty('--warn-h', `${box.offsetHeight}px`);
}

let rendering = Promise.resolve();
function renderTab(force = false) {
  const runs = selectedRuns();
  const tab = tabs[state.tab];
  rendering = rendering.then(() => tab.render(state.tab === 'graph' ? state.runs : runs, force)).catch((e) => setStatus(`error: ${e.message}`));
  return rendering;
}

function setStatus(text) {
  document.getElementById('status').textContent = text;
}

async function refresh(force = false) {
  try {
    state.runs = await getJson('/data/runs');
    drawRunList();
    await drawWarnings();
    await renderTab(force);
    setStatus(`updated ${new Date().toLocaleTimeString()}`);
  } catch (e) {
    setStatus(`error: ${e.message}`);
  }
}

for (const b of document.querySelectorAll('#tabs button')) {
  b.addEventListener('click', () => {
    state.tab = b.dataset.tab;
    for (const x of document.querySelectorAll('#tabs button')) x.classList.toggle('active', x === b);
    for (const t of document.querySelectorAll('.tab')) t.hidden = t.id !== `tab-${state.tab}`;
    for (const s of document.querySelectorAll('#sidebar section[data-for]')) s.hidden = s.dataset.for !== state.tab;
    renderTab(true);
  });
}

const smoothing = document.getElementById('smoothing');
smoothing.addEventListener('input', () => {
  document.getElementById('smoothing-value').textContent = Number(smoothing.value).toFixed(2);
  tabs.scalars.setOptions({ smoothing: Number(smoothing.value) });
  renderTab(true);
});
for (const r of document.querySelectorAll('input[name=xaxis]')) {
  r.addEventListener('change', () => {
    tabs.scalars.setOptions({ xAxis: r.value });
    renderTab(true);
  });
}
document.getElementById('graph-run').addEventListener('change', () => renderTab(true));
document.getElementById('graph-search').addEventListener('input', (e) => tabs.graph.search(e.target.value));

tabs.scalars.setOptions({ smoothing: Number(smoothing.value), xAxis: 'step' });
tabs.graph.runSelect = document.getElementById('graph-run');
tabs.graph.legend = document.getElementById('device-legend');
tabs.graph.searchResult = document.getElementById('search-result');

let timer;
function schedule() {
  clearTimeout(timer);
  if (document.getElementById('autorefresh').checked) timer = setTimeout(async () => { await refresh(); schedule(); }, POLL_MS);
}
document.getElementById('autorefresh').addEventListener('change', schedule);

// Tests and the screenshot script wait on this.
window.board = { state, tabs, refresh, ready: refresh(true).then(schedule), idle: () => rendering };
