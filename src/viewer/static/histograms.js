// Histograms tab: per tag and run, the recorded distributions overlaid, older steps lighter
// (TensorBoard's overlay mode). Buckets are resampled onto one common grid so steps with
// different bucket edges can share an x axis.
import uPlot from '/lib/uPlot.esm.js';
import { getJson } from '/api.js';

const BINS = 40;
const MAX_STEPS = 12;

/** The counts of `h` spread uniformly within each of its buckets, onto bins over [lo, hi]. */
export function rebin(h, lo, hi, bins = BINS) {
  const out = new Array(bins).fill(0);
  const width = (hi - lo) / bins || 1;
  let left = h.min;
  h.bucket.forEach((count, i) => {
    const right = Math.min(h.bucketLimit[i], h.max);
    const l = Math.max(left, h.min);
    left = h.bucketLimit[i];
    if (!count) return;
    if (right <= l) {
      out[Math.min(bins - 1, Math.max(0, Math.floor((l - lo) / width)))] += count;
      return;
    }
    for (let b = Math.max(0, Math.floor((l - lo) / width)); b < bins; b++) {
      const bl = lo + b * width;
      const br = bl + width;
      if (bl >= right) break;
      const overlap = Math.min(br, right) - Math.max(bl, l);
      if (overlap > 0) out[b] += (count * overlap) / (right - l);
    }
  });
  return out;
}

export class HistogramsTab {
  constructor(container) {
    this.container = container;
    this.cache = new Map();
    this.plots = [];
  }

  async render(runs, force) {
    const pairs = runs.flatMap((r) => r.histogramTags.map((tag) => ({ run: r, tag })));
    let changed = force;
    await Promise.all(pairs.map(async ({ run, tag }) => {
      const key = `${run.name}\0${tag}`;
      if (this.cache.get(key)?.version === run.version) return;
      const data = await getJson(`/data/histograms?run=${encodeURIComponent(run.name)}&tag=${encodeURIComponent(tag)}`, { missingOk: true });
      if (data) this.cache.set(key, { version: run.version, data });
      changed = true;
    }));
    if (!changed) return;
    for (const p of this.plots) p.destroy();
    this.plots = [];
    this.container.replaceChildren();
    if (!pairs.length) {
      this.container.innerHTML = '<p class="empty">No histogram data in the selected runs.</p>';
      return;
    }
    pairs.sort((a, b) => a.tag.localeCompare(b.tag) || a.run.name.localeCompare(b.run.name));
    for (const { run, tag } of pairs) {
      const cached = this.cache.get(`${run.name}\0${tag}`);
      if (cached) this.draw(run, tag, cached.data.histograms);
    }
  }

  draw(run, tag, all) {
    if (!all.length) return;
    const picked = all.length <= MAX_STEPS ? all : Array.from({ length: MAX_STEPS }, (_, i) => all[Math.round((i * (all.length - 1)) / (MAX_STEPS - 1))]);
    const lo = Math.min(...picked.map((h) => h.min));
    const hi = Math.max(...picked.map((h) => h.max));
    const width = (hi - lo) / BINS || 1;
    const x = Array.from({ length: BINS }, (_, b) => lo + (b + 0.5) * width);
    const series = [{ label: 'value' }];
    const data = [x];
    picked.forEach((h, i) => {
      const shade = picked.length === 1 ? 1 : 0.2 + (0.8 * i) / (picked.length - 1);
      series.push({ label: `step ${h.step}`, stroke: `rgba(230, 81, 0, ${shade})`, fill: `rgba(255, 152, 0, ${shade * 0.12})`, width: 1, points: { show: false } });
      data.push(rebin(h, lo, hi));
    });
    const card = document.createElement('div');
    card.className = 'chart-card';
    const h3 = Object.assign(document.createElement('h3'), { className: 'tag-title', textContent: `${tag} — ${run.name}` });
    card.append(h3);
    this.container.append(card);
    this.plots.push(new uPlot({ width: 480, height: 260, series, scales: { x: { time: false } }, legend: { show: false }, axes: [{}, { size: 60 }] }, data, card));
  }
}
