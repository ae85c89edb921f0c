#!/usr/bin/env bash
# The GPU checks, run ON a lent GPU machine from the repository root, with .gpu/ filled by
# tools/gpu-pack.sh (carried along): versions, missing libraries, the GPU parity tests
# (tg_gpu_tests), then the bench graphs trained by tg_gpu_driver on the GPU against PyTorch
# on CUDA (bench/peers/gpu_torch.py), and a table of ratios.
#   tools/gpu-check.sh [SECONDS_PER_CONFIG]     (default 2)
# Logs and results go to $OUT (default /tmp/gpu-check). Every part has a timeout and the
# whole script ends within ~5.5 minutes; a failing part is reported and the next one runs.
set -uo pipefail
cd "$(dirname "$0")/.."
OUT="${OUT:-/tmp/gpu-check}"
mkdir -p "$OUT"
SECS="${1:-2}"
G=.gpu
START=$(date +%s)
DEADLINE=$((START + 330))

# A part's timeout: its own limit, cut to what is left before the deadline (at least 1 s).
limit() {
  local left=$((DEADLINE - $(date +%s) - 5))
  [ "$left" -lt 1 ] && left=1
  [ "$1" -lt "$left" ] && echo "$1" || echo "$left"
}
part() { echo; echo "=== $* ($(( $(date +%s) - START )) s)"; }
run() {  # run SECONDS CMD...: with a timeout, and says how it ended when it did not succeed
  local t rc
  t=$(limit "$1"); shift
  timeout -k 5 "$t" "$@"
  rc=$?
  [ "$rc" -eq 124 ] && echo "!!! timed out after ${t} s: $*"
  [ "$rc" -ne 0 ] && [ "$rc" -ne 124 ] && echo "!!! exit $rc: $*"
  return "$rc"
}

part "machine"
run 20 nvidia-smi --query-gpu=name,driver_version,memory.total,compute_cap --format=csv,noheader
command -v nvcc >/dev/null && run 10 nvcc --version | tail -2
ldd --version 2>&1 | head -1
[ -f "$G/NEEDS" ] && echo "binaries $(cat "$G/NEEDS")"
run 40 python3 -c 'import torch; print("torch", torch.__version__, "cuda", torch.version.cuda, "cudnn", torch.backends.cudnn.version(), "gpu", torch.cuda.is_available())'
run 20 python3 -m pip list 2>/dev/null | grep -iE '^(torch|nvidia-(cublas|cudnn|cuda-runtime|cuda-nvrtc))' | tr -s ' '

part "libraries"
SP=$(python3 -c 'import site; print(site.getsitepackages()[0])' 2>/dev/null)
NV=""
for d in "$SP"/nvidia/cu13/lib "$SP"/nvidia/cudnn/lib "$SP"/nvidia/*/lib; do
  [ -d "$d" ] && case ":$NV:" in *":$d:"*) ;; *) NV="$NV:$d" ;; esac
done
# gpu-pack compressed the big libraries: unpacked outside the tree (and outside $OUT).
XZLIB=$(mktemp -d /tmp/tg-gpu-lib.XXXXXX)
for f in "$G"/lib/*.xz; do
  [ -e "$f" ] || continue
  dst="$XZLIB/$(basename "${f%.xz}")"
  if command -v xz >/dev/null; then xz -dc "$f" > "$dst"
  else python3 -c 'import lzma,shutil,sys; shutil.copyfileobj(lzma.open(sys.argv[1]), open(sys.argv[2],"wb"))' "$f" "$dst"; fi
done
LIBS="$PWD/$G/Release:$PWD/$G/lib:$XZLIB${NV}"
# The machine's libstdc++ may be older than the build machine's (Debian 12, GCC 12).
if LD_LIBRARY_PATH="$LIBS" ldd "$G/tg_gpu_tests" "$G/Release/libtg_cuda.so" 2>&1 | grep -q "GLIBCXX.*not found\|GCC_.*not found"; then
  echo "the machine's libstdc++ is too old: using the packed one"
  LIBS="$LIBS:$PWD/$G/lib/compat"
fi
echo "LD_LIBRARY_PATH for our binaries: $LIBS"
missing=$(for b in "$G/tg_gpu_tests" "$G/tg_gpu_driver" "$G/Release/libtg_runtime.so" "$G/Release/libtg_cuda.so"; do
  LD_LIBRARY_PATH="$LIBS" ldd "$b" 2>&1 | grep -E 'not found' | sed "s|^|$b: |"
done)
if [ -n "$missing" ]; then echo "$missing"; else echo "all libraries found"; fi
# The backend is dlopen'd: symbols it needs from libtg_runtime.so must be there (same build).
LD_LIBRARY_PATH="$LIBS" ldd -r "$G/Release/libtg_cuda.so" 2>&1 | grep -m5 'undefined symbol' || echo "libtg_cuda.so: no undefined symbols"

part "GPU parity tests (full log: \$OUT/gtest.log)"
LD_LIBRARY_PATH="$LIBS" run 150 "$G/tg_gpu_tests" > "$OUT/gtest.log" 2>&1
echo "tg_gpu_tests exit $?"
grep -E '^\[==========\]|^\[  PASSED  \]' "$OUT/gtest.log" | tail -3
grep -E '^\[  FAILED  \]|^\[  SKIPPED \]' "$OUT/gtest.log" | sed 's/ ([0-9]* ms)$//' | sort -u | head -60
grep -m1 -A1 -E '^[^ ]*: Skipped$|^Skipped$' "$OUT/gtest.log"  # why tests skip (no GPU, backend not loaded)
grep -m5 -iE 'segmentation|aborted|terminate called|core dumped' "$OUT/gtest.log"
tail -3 "$OUT/gtest.log"
# Failures in full: the first 80 lines of gtest's messages.
grep -B2 -A6 -E 'Failure$|error: ' "$OUT/gtest.log" | head -80
# The memory options fix a GPU's allocator on first use: that test needs its own process.
part "GPU memory options (own process)"
LD_LIBRARY_PATH="$LIBS" run 60 "$G/tg_gpu_tests" --gtest_filter='GpuMemoryOptions.*' > "$OUT/gtest_memory.log" 2>&1
echo "exit $?"; grep -E '^\[  (PASSED|FAILED|SKIPPED) |Failure|Expected|Which is|error' "$OUT/gtest_memory.log" | head -20

CONFIGS=(mlp-50 mlp-128 mlp-1024 cnn-64)
PREFIXES=()
for c in "${CONFIGS[@]}"; do PREFIXES+=("$G/graphs/$c"); done

part "tensorgraph on the GPU (${SECS} s per config)"
LD_LIBRARY_PATH="$LIBS" run 90 "$G/tg_gpu_driver" --device gpu --seconds "$SECS" --placement "${PREFIXES[@]}" \
  > "$OUT/ours_gpu.jsonl" 2> "$OUT/ours_gpu.err"
cat "$OUT/ours_gpu.jsonl"; tail -20 "$OUT/ours_gpu.err"

part "training parity: 50 steps on the CPU and on the GPU, same seeds and batches"
LD_LIBRARY_PATH="$LIBS" run 90 "$G/tg_gpu_driver" --parity 50 "${PREFIXES[@]}" 2>&1 | tee "$OUT/parity.jsonl"

part "PyTorch on CUDA (${SECS} s per config)"
run 90 python3 bench/peers/gpu_torch.py --seconds "$SECS" > "$OUT/torch_gpu.jsonl" 2> "$OUT/torch_gpu.err"
cat "$OUT/torch_gpu.jsonl"; tail -5 "$OUT/torch_gpu.err"

part "tensorgraph on the CPU (sanity: 1 s per config)"
LD_LIBRARY_PATH="$LIBS" run 25 "$G/tg_gpu_driver" --device cpu --seconds 1 "${PREFIXES[@]}" \
  > "$OUT/ours_cpu.jsonl" 2> /tmp/tg_ours_cpu.err
cat "$OUT/ours_cpu.jsonl"; tail -5 /tmp/tg_ours_cpu.err

part "ratios"
timeout 20 python3 bench/peers/gpu_ratios.py "$OUT"
echo; echo "gpu-check: done in $(( $(date +%s) - START )) s; logs in $OUT"
