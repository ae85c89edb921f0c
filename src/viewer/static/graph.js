// Graph tab: the run's newest graph drawn with Cytoscape and laid out by dagre. Name scopes
// start collapsed into boxes; clicking a box expands it into a compound node holding its
// children (clicking that collapses it again). Ops are coloured by device; clicking one
// shows its name, op, device, inputs and attrs; search expands and highlights matches.
import cytoscape from '/lib/cytoscape.esm.min.mjs';
import cytoscapeDagre from '/lib/cytoscape-dagre.mjs';
import { getJson } from '/api.js';

cytoscape.use(cytoscapeDagre);

const DEVICE_COLORS = ['#90caf9', '#a5d6a7', '#ffcc80', '#ce93d8', '#80cbc4', '#f48fb1', '#fff59d', '#bcaaa4'];
const NO_DEVICE = '#e0e0e0';
const MIXED = '#b0bec5';

const STYLE = [
  { selector: 'node', style: { label: 'data(label)', 'font-size': 10, 'text-valign': 'center', 'text-halign': 'center', 'background-color': 'data(color)', 'border-width': 1, 'border-color': '#757575', width: 'data(w)', height: 18, shape: 'ellipse' } },
  { selector: 'node.scope', style: { shape: 'round-rectangle', 'font-weight': 'bold', height: 24, 'border-width': 1.5 } },
  { selector: 'node.expanded', style: { padding: 12 } },
  { selector: 'node.expanded', style: { 'background-color': '#fafafa', 'background-opacity': 0.6, 'text-valign': 'top', 'text-halign': 'center', 'border-style': 'dashed' } },
  { selector: 'node.match', style: { 'border-width': 3, 'border-color': '#d50000' } },
  { selector: 'node.selected', style: { 'border-width': 3, 'border-color': '#f57c00' } },
  { selector: 'edge', style: { width: 'data(width)', 'line-color': '#9e9e9e', 'target-arrow-color': '#9e9e9e', 'target-arrow-shape': 'triangle', 'curve-style': 'bezier', 'arrow-scale': 0.7 } },
  { selector: 'edge.control', style: { 'line-style': 'dashed' } },
];

/** The name scope prefixes of an op name ('a/b/c' -> ['a', 'a/b']). */
function scopesOf(name) {
  const parts = name.split('/');
  return parts.slice(0, -1).map((_, i) => parts.slice(0, i + 1).join('/'));
}

/** Input 'x:1' or '^x' -> the producing op's name. */
const producer = (input) => input.replace(/^\^/, '').replace(/:\d+$/, '');

export class GraphTab {
  constructor(container, details) {
    this.container = container;
    this.details = details;
    this.cy = null;
    this.run = null;
    this.version = -1;
    this.nodes = [];
    this.byName = new Map();
    this.scopeOps = new Map();
    this.expanded = new Set();
    this.matches = new Set();
    this.deviceColor = new Map();
    this.selected = null;
  }

  async render(runs, force) {
    const name = this.runSelect?.value || runs.find((r) => r.hasGraph)?.name;
    const run = runs.find((r) => r.name === name);
    if (!run) {
      this.cy?.destroy();
      this.cy = null;
      this.container.innerHTML = '<p class="empty" style="padding:12px">No graph in any run.</p>';
      return;
    }
    if (run.name === this.run && run.graphVersion === this.version && !force) return;
    if (run.name === this.run && run.graphVersion === this.version && this.cy) {
      this.cy.resize();
      return;
    }
    const g = await getJson(`/data/graph?run=${encodeURIComponent(run.name)}`);
    if (run.name !== this.run) {
      this.expanded.clear();
      this.selected = null;
      this.details.hidden = true;
    }
    this.run = run.name;
    this.version = run.graphVersion;
    this.load(g.nodes);
    this.draw();
  }

  load(nodes) {
    this.nodes = nodes;
    this.byName = new Map(nodes.map((n) => [n.name, n]));
    this.scopeOps = new Map();
    for (const n of nodes) for (const s of scopesOf(n.name)) {
      if (!this.scopeOps.has(s)) this.scopeOps.set(s, []);
      this.scopeOps.get(s).push(n);
    }
    const devices = [...new Set(nodes.map((n) => n.device).filter(Boolean))].sort();
    this.deviceColor = new Map(devices.map((d, i) => [d, DEVICE_COLORS[i % DEVICE_COLORS.length]]));
    if (this.legend) {
      const rows = devices.length ? devices.map((d) => [d, this.deviceColor.get(d)]) : [['(no device set)', NO_DEVICE]];
      if (devices.length && nodes.some((n) => !n.device)) rows.push(['(unplaced)', NO_DEVICE]);
      if (devices.length > 1) rows.push(['(scope on several devices)', MIXED]);
      this.legend.replaceChildren(...rows.map(([d, c]) => {
        const row = document.createElement('div');
        row.innerHTML = `<span class="run-swatch" style="background:${c}"></span>`;
        row.append(d);
        return row;
      }));
    }
  }

  colorOfDevices(ops) {
    const ds = new Set(ops.map((n) => n.device));
    if (ds.size > 1) return MIXED;
    const [d] = ds;
    return this.deviceColor.get(d) ?? NO_DEVICE;
  }

  /** The element an op is drawn as: itself, or its outermost collapsed scope. */
  visible(name) {
    for (const s of scopesOf(name)) if (!this.expanded.has(s)) return `scope:${s}`;
    return `op:${name}`;
  }

  elements() {
    const els = [];
    const parentOf = (scopes) => (scopes.length ? `scope:${scopes[scopes.length - 1]}` : undefined);
    for (const [s, ops] of this.scopeOps) {
      const outer = scopesOf(`${s}/x`).slice(0, -1);
      if (!outer.every((o) => this.expanded.has(o))) continue;
      const open = this.expanded.has(s);
      const label = s.split('/').pop();
      els.push({
        group: 'nodes',
        data: { id: `scope:${s}`, scope: s, parent: parentOf(outer), label: open ? label : `${label} (${ops.length})`, color: this.colorOfDevices(ops) },
        classes: `scope ${open ? 'expanded' : 'collapsed'}`,
      });
    }
    for (const n of this.nodes) {
      const scopes = scopesOf(n.name);
      if (!scopes.every((s) => this.expanded.has(s))) continue;
      els.push({ group: 'nodes', data: { id: `op:${n.name}`, op: n.name, parent: parentOf(scopes), label: n.name.split('/').pop(), color: this.deviceColor.get(n.device) ?? NO_DEVICE }, classes: 'op' });
    }
    const edges = new Map();
    for (const n of this.nodes) {
      const to = this.visible(n.name);
      for (const input of n.inputs) {
        const src = producer(input);
        if (!this.byName.has(src)) continue;
        const from = this.visible(src);
        if (from === to) continue;
        const id = `${from}->${to}`;
        const e = edges.get(id) ?? { count: 0, control: true };
        e.count++;
        e.control &&= input.startsWith('^');
        edges.set(id, e);
      }
    }
    for (const [id, e] of edges) {
      const [source, target] = id.split('->');
      els.push({ group: 'edges', data: { id: `edge:${id}`, source, target, width: Math.min(1 + Math.log2(e.count), 5) }, classes: e.control ? 'control' : '' });
    }
    return els;
  }

  draw() {
    const els = this.elements();
    // Label widths (Cytoscape's width: 'label' is deprecated): about 6.5px a character at 10px.
    for (const e of els) if (e.group === 'nodes') e.data.w = 16 + 6.5 * e.data.label.length;
    if (!this.cy) {
      this.container.replaceChildren();
      this.cy = cytoscape({ container: this.container, style: STYLE, minZoom: 0.05, maxZoom: 4 });
      this.cy.on('tap', 'node', (ev) => this.onTap(ev.target));
      window.cy = this.cy;
    }
    this.cy.batch(() => {
      this.cy.elements().remove();
      this.cy.add(els);
    });
    for (const m of this.matches) this.cy.getElementById(`op:${m}`).addClass('match');
    if (this.selected) this.cy.getElementById(`op:${this.selected}`).addClass('selected');
    this.cy.layout({ name: 'dagre', rankDir: 'BT', nodeSep: 20, rankSep: 40, animate: false, fit: true, padding: 20 }).run();
    // Small graphs are not blown up past a readable size.
    if (this.cy.zoom() > 1.4) {
      this.cy.zoom(1.4);
      this.cy.center();
    }
  }

  toggle(scope) {
    if (this.expanded.has(scope)) {
      for (const s of [...this.expanded]) if (s === scope || s.startsWith(`${scope}/`)) this.expanded.delete(s);
    } else {
      this.expanded.add(scope);
    }
    this.draw();
  }

  onTap(node) {
    const scope = node.data('scope');
    if (scope !== undefined) {
      this.toggle(scope);
      this.showScope(scope);
      return;
    }
    this.cy.nodes('.selected').removeClass('selected');
    node.addClass('selected');
    this.selected = node.data('op');
    this.showOp(this.byName.get(this.selected));
  }

  showScope(scope) {
    const ops = this.scopeOps.get(scope) ?? [];
    const devices = [...new Set(ops.map((n) => n.device || '(none)'))];
    this.showTable(`${scope}/`, [['kind', 'name scope'], ['ops', String(ops.length)], ['devices', devices.join(', ')]]);
  }

  showOp(n) {
    if (!n) return;
    const rows = [['op', n.op], ['device', n.device || '(none)'], ['inputs', n.inputs.length ? n.inputs.join('\n') : '(none)']];
    for (const [k, v] of Object.entries(n.attrs)) rows.push([`attr ${k}`, v]);
    this.showTable(n.name, rows);
  }

  showTable(title, rows) {
    const h = Object.assign(document.createElement('h3'), { textContent: title });
    const table = document.createElement('table');
    for (const [k, v] of rows) {
      const tr = table.insertRow();
      tr.dataset.key = k;
      tr.insertCell().textContent = k;
      const td = tr.insertCell();
      td.style.whiteSpace = 'pre-wrap';
      td.textContent = v;
    }
    const close = Object.assign(document.createElement('button'), { textContent: 'close', style: 'float:right' });
    close.addEventListener('click', () => { this.details.hidden = true; });
    this.details.replaceChildren(close, h, table);
    this.details.hidden = false;
  }

  /** Highlights ops whose name contains `query` (case-insensitive), expanding their scopes. */
  search(query) {
    const q = query.trim().toLowerCase();
    this.matches = new Set(q ? this.nodes.filter((n) => n.name.toLowerCase().includes(q)).map((n) => n.name) : []);
    if (this.searchResult) this.searchResult.textContent = q ? `${this.matches.size} match${this.matches.size === 1 ? '' : 'es'}` : '';
    if (!this.cy) return;
    if (this.matches.size && this.matches.size <= 200) for (const m of this.matches) for (const s of scopesOf(m)) this.expanded.add(s);
    this.draw();
    const hits = this.cy.nodes('.match');
    if (hits.length) this.cy.fit(hits, 60);
  }
}
