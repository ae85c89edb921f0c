#!/usr/bin/env node
// Runs the C++ runtime tests (built by tools/build.mjs when GoogleTest is installed), then
// the GPU parity tests when they were built (they skip, saying why, without a GPU).
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const build = join(dirname(fileURLToPath(import.meta.url)), '..', 'build');
const exe = join(build, 'tg_runtime_tests');
if (!existsSync(exe)) {
  console.log('native tests: skipped (GoogleTest not installed: apt-get install libgtest-dev)');
  process.exit(0);
}
execFileSync(exe, ['--gtest_brief=1'], { stdio: 'inherit' });
const gpu = join(build, 'tg_gpu_tests');
if (existsSync(gpu)) execFileSync(gpu, ['--gtest_brief=1'], { stdio: 'inherit' });
