// Scalars tab: one uPlot chart per tag, one curve per run; TensorBoard's debiased EMA
// smoothing (raw values drawn faintly behind), x axis by step, relative time or wall time.
import uPlot from '/lib/uPlot.esm.js';
import { getJson } from '/api.js';

const WIDTH = 480;
const HEIGHT = 260;

/** TensorBoard's smoothing: an exponential moving average, debiased for the first points. */
export function smooth(values, weight) {
  let last = 0;
  let n = 0;
  return values.map((v) => {
    if (!Number.isFinite(v)) return v;
    last = last * weight + (1 - weight) * v;
    n++;
    return weight === 1 ? last : last / (1 - Math.pow(weight, n));
  });
}

function duration(s) {
  const a = Math.abs(s);
  if (a < 60) return `${+s.toFixed(1)}s`;
  if (a < 3600) return `${+(s / 60).toFixed(1)}m`;
  return `${+(s / 3600).toFixed(2)}h`;
}

function withAlpha(hex, alpha) {
  const n = parseInt(hex.slice(1), 16);
  return `rgba(${n >> 16}, ${(n >> 8) & 255}, ${n & 255}, ${alpha})`;
}

export class ScalarsTab {
  constructor(container) {
    this.container = container;
    this.options = { smoothing: 0.6, xAxis: 'step' };
    /** run\0tag -> { version, data } */
    this.cache = new Map();
    /** tag -> { card, plot, key } */
    this.charts = new Map();
  }

  setOptions(o) {
    Object.assign(this.options, o);
  }

  async render(runs, force) {
    await Promise.all(runs.flatMap((r) => r.scalarTags.map(async (tag) => {
      const key = `${r.name}\0${tag}`;
      if (this.cache.get(key)?.version === r.version) return;
      const data = await getJson(`/data/scalars?run=${encodeURIComponent(r.name)}&tag=${encodeURIComponent(tag)}`, { missingOk: true });
      if (data) this.cache.set(key, { version: r.version, data });
    })));
    // A run removed since the run list was read has no data: it is left out until the next refresh.
    const has = (r, tag) => r.scalarTags.includes(tag) && this.cache.has(`${r.name}\0${tag}`);
    const tags = [...new Set(runs.flatMap((r) => r.scalarTags.filter((tag) => has(r, tag))))].sort();
    const shownKey = (tag) => runs.filter((r) => has(r, tag)).map((r) => `${r.name}@${r.version}`).join('|');
    for (const [tag, c] of this.charts) {
      if (!tags.includes(tag)) {
        c.plot.destroy();
        c.card.remove();
        this.charts.delete(tag);
      }
    }
    if (!tags.length) {
      this.container.innerHTML = '<p class="empty">No scalar data in the selected runs.</p>';
      return;
    }
    this.container.querySelector('p.empty')?.remove();
    for (const tag of tags) {
      const key = shownKey(tag);
      const old = this.charts.get(tag);
      if (old && old.key === key && !force) continue;
      const withTag = runs.filter((r) => has(r, tag));
      this.draw(tag, withTag, key);
    }
  }

  draw(tag, runs, key) {
    const { smoothing, xAxis } = this.options;
    const tables = [];
    const series = [{ label: xAxis === 'step' ? 'step' : xAxis === 'relative' ? 'relative' : 'time', value: xAxis === 'relative' ? (_, v) => (v == null ? '' : duration(v)) : undefined }];
    for (const r of runs) {
      const d = this.cache.get(`${r.name}\0${tag}`)?.data;
      if (!d) continue;
      const x0 = d.wallTimes[0] ?? 0;
      const xs = xAxis === 'step' ? d.steps : xAxis === 'relative' ? d.wallTimes.map((w) => w - x0) : d.wallTimes;
      const order = xs.map((_, i) => i).sort((a, b) => xs[a] - xs[b] || a - b);
      const x = order.map((i) => xs[i]);
      const y = order.map((i) => d.values[i]);
      if (smoothing > 0) {
        tables.push([x, y, smooth(y, smoothing)]);
        series.push({ label: `${r.name} (raw)`, stroke: withAlpha(r.color, 0.25), width: 1, spanGaps: true, points: { show: false } });
        series.push({ label: r.name, stroke: r.color, width: 1.5, spanGaps: true, points: { show: false } });
      } else {
        tables.push([x, y]);
        series.push({ label: r.name, stroke: r.color, width: 1.5, spanGaps: true, points: { show: false } });
      }
    }
    const data = tables.length === 1 ? tables[0] : uPlot.join(tables);
    let c = this.charts.get(tag);
    if (!c) {
      const card = document.createElement('div');
      card.className = 'chart-card';
      card.dataset.tag = tag;
      const h = document.createElement('h3');
      h.className = 'tag-title';
      h.textContent = tag;
      card.append(h);
      // Keep cards in tag order.
      const next = [...this.container.children].find((el) => el.dataset.tag > tag);
      this.container.insertBefore(card, next ?? null);
      c = { card, plot: null, key };
      this.charts.set(tag, c);
    }
    c.plot?.destroy();
    c.key = key;
    const axes = [
      { values: xAxis === 'relative' ? (_, ticks) => ticks.map(duration) : undefined },
      { size: 60 },
    ];
    c.plot = new uPlot({
      width: WIDTH, height: HEIGHT, series, axes,
      scales: { x: { time: xAxis === 'wall' } },
      legend: { show: true, live: true },
      cursor: { drag: { x: true, y: false } },
    }, data, c.card);
  }
}
