#!/usr/bin/env node
// Builds everything from source: TypeScript code generated from schema/ by flatc, the
// TypeScript library by tsc, the op records of its registry (tools/gen-op-list.mjs), and the
// native addon by cmake-js (its CMakeLists generates the C++ side of the schema and embeds
// the op records). Each step is incremental, so `npm test` can always call it.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bin = (name) => join(root, 'node_modules', '.bin', name);
const run = (cmd, args) => execFileSync(cmd, args, { cwd: root, stdio: 'inherit' });

function need(tool, pkg) {
  try {
    execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' });
  } catch {
    console.error(`tensorgraph: '${tool}' not found; run 'bash tools/install-deps.sh' first (Debian package ${pkg}).`);
    process.exit(1);
  }
}

need('flatc', 'flatbuffers-compiler');
need('protoc', 'protobuf-compiler');
need('cmake', 'cmake');

// 1. TypeScript from the schemas (only when a schema is newer than its output).
const genDir = join(root, 'src', 'generated');
mkdirSync(genDir, { recursive: true });
for (const file of readdirSync(join(root, 'schema')).filter((f) => f.endsWith('.fbs'))) {
  const schema = join(root, 'schema', file);
  const out = join(genDir, file.replace(/\.fbs$/, '_generated.ts'));
  if (!existsSync(out) || statSync(out).mtimeMs < statSync(schema).mtimeMs) {
    run('flatc', ['--ts', '--ts-flat-files', '-I', join(root, 'schema'), '-o', genDir, schema]);
  }
}

// 2. The library itself.
run(bin('tsc'), ['-p', 'tsconfig.json']);

// 3. The op records of the library's registry (build/generated/op_list.bin, rewritten only
// when they change), which the native runtime embeds.
run(process.execPath, [join(root, 'tools', 'gen-op-list.mjs')]);

// 4. The native addon (build/Release/tensorgraph_native.node).
const jobs = String(Math.max(1, (await import('node:os')).cpus().length));
// The C++ runtime tests (GoogleTest) are built beside it when GoogleTest is installed.
// The CUDA backend (build/Release/libtg_cuda.so) is built when a CUDA toolkit is found: set
// TG_CUDA_WHEELS to the folder tools/install-cuda.sh prints; TG_CUDA=ON makes a missing or
// broken toolkit an error, TG_CUDA=OFF skips it.
const cuda = process.env.TG_CUDA ? [`--CDTG_CUDA=${process.env.TG_CUDA}`] : [];
run(bin('cmake-js'), ['build', '--out', 'build', '--parallel', jobs, '--CDTG_BUILD_TESTS=ON', ...cuda, ...(process.env.CI ? ['--log-level', 'warn'] : [])]);
