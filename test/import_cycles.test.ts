// The modules of src/ import each other without cycles: the import graph (relative imports
// and re-exports, side-effect imports included; `import type` left out, it does not load a
// module) is read with a regex and searched for strongly connected components.
import test from 'ava';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const SRC = join(dirname(fileURLToPath(import.meta.url)), '..', 'src');

/** Relative modules a source file loads at run time. */
function importsOf(source: string): string[] {
  const out: string[] = [];
  const re = /^\s*(?:import|export)\s+(type\s+)?(?:[^'";]*?\s+from\s+)?'(\.{1,2}\/[^']+)'/gm;
  for (const m of source.matchAll(re)) if (!m[1]) out.push(m[2]);
  return out;
}

/** The import cycles (strongly connected components of more than one module, or a self-import). */
export function findCycles(files: ReadonlyMap<string, string>): string[][] {
  const edges = new Map<string, string[]>();
  for (const [file, source] of files) {
    edges.set(file, importsOf(source)
      .map((spec) => normalize(join(dirname(file), spec)).replace(/\.js$/, '.ts'))
      .filter((target) => files.has(target)));
  }
  // Tarjan's algorithm.
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  let next = 0;
  const visit = (v: string): void => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of edges.get(v)!) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, index.get(w)!));
      }
    }
    if (low.get(v) !== index.get(v)) return;
    const scc: string[] = [];
    let w: string;
    do {
      w = stack.pop()!;
      onStack.delete(w);
      scc.push(w);
    } while (w !== v);
    if (scc.length > 1 || edges.get(v)!.includes(v)) cycles.push(scc.sort());
  };
  for (const v of edges.keys()) if (!index.has(v)) visit(v);
  return cycles;
}

function sources(dir: string, out = new Map<string, string>()): Map<string, string> {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) sources(p, out);
    else if (e.name.endsWith('.ts') && !e.name.endsWith('.d.ts')) out.set(relative(SRC, p), readFileSync(p, 'utf8'));
  }
  return out;
}

test('findCycles finds a cyclic pair, a longer cycle and a self-import; type-only imports do not count', (t) => {
  const files = new Map([
    ['a.ts', "import { b } from './b.js';\n"],
    ['b.ts', "import {\n  a,\n} from './a.js';\n"],
    ['c/d.ts', "export { e } from '../e.js';\n"],
    ['e.ts', "import '../outside.js';\nimport './f.js';\n"],
    ['f.ts', "import * as d from './c/d.js';\n"],
    ['g.ts', "import { g } from './g.js';\n"],
    ['h.ts', "import type { i } from './i.js';\n"],
    ['i.ts', "import { h } from './h.js';\n"],
  ]);
  t.deepEqual(findCycles(files).sort(), [['a.ts', 'b.ts'], ['c/d.ts', 'e.ts', 'f.ts'], ['g.ts']]);
});

test('src/ has no import cycles', (t) => {
  const files = sources(SRC);
  t.true(files.size > 50);
  const cycles = findCycles(files);
  t.deepEqual(cycles, [], cycles.map((c) => c.join(' <-> ')).join('\n'));
});
