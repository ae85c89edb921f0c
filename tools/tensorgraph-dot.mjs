#!/usr/bin/env node
// npx tensorgraph-dot FILE [-o out.dot|svg|png]: the compiled CLI in dist/tools/dot_cli.js
// (run `npm run build` first in a source checkout).
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const cli = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'tools', 'dot_cli.js');
if (!existsSync(cli)) {
  console.error(`tensorgraph-dot: ${cli} is missing; build the package first (npm run build)`);
  process.exit(1);
}
const { main } = await import(pathToFileURL(cli).href);
process.exitCode = main(process.argv.slice(2));
