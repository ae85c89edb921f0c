#!/usr/bin/env node
// Writes the record of every registered op (schema/op_def.fbs) to build/generated/op_list.bin,
// from the built library (dist/, after tsc): the TypeScript op registry is the one source of
// op records, and the build embeds this file in the native runtime (tools/embed-op-list.cmake).
// The file is rewritten only when its bytes change, so an unchanged op list rebuilds nothing.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = process.argv[2] ?? join(root, 'build', 'generated', 'op_list.bin');
const dist = (p) => pathToFileURL(join(root, 'dist', p)).href;

// Importing the library registers every op (the addon is loaded only on first use, so this
// runs before it is built).
const tf = await import(dist('index.js'));
const { serializeOpList } = await import(dist('framework/op_list.js'));
const types = tf.registeredOpTypes();
const bytes = serializeOpList(types.map((t) => tf.getOpDef(t)));

if (existsSync(out) && Buffer.compare(readFileSync(out), bytes) === 0) process.exit(0);
mkdirSync(dirname(out), { recursive: true });
writeFileSync(`${out}.tmp`, bytes);
renameSync(`${out}.tmp`, out);
console.log(`gen-op-list: ${types.length} op records -> ${out}`);
