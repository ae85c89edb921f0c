#!/usr/bin/env bash
# Fills .gpu/ (git-ignored) with what tools/gpu-check.sh runs on a lent GPU machine, which
# has python3 + PyTorch (cuBLAS/cuDNN wheels) but no Node.js and no network:
#   tools/gpu-pack.sh [BUILD_DIR]        (default build/, after `node tools/build.mjs` with CUDA)
# Layout (the binaries' RPATH $ORIGIN/Release finds our libraries):
#   .gpu/tg_gpu_tests, .gpu/tg_gpu_driver        stripped binaries
#   .gpu/Release/libtg_runtime.so, libtg_cuda.so stripped libraries
#   .gpu/lib/                                    non-system libraries they need (oneDNN, ...);
#                                                files over 8 MiB xz-compressed (*.xz)
#   .gpu/lib/compat/                             libstdc++/libgcc_s, used only when the
#                                                machine's are too old (gpu-check.sh decides)
#   .gpu/graphs/                                 tools/export-bench-graphs.ts output
# The carry limit is 64 MiB; this keeps the folder under 60 MiB or fails.
set -uo pipefail
cd "$(dirname "$0")/.."
B="${1:-build}"
G=.gpu
LIMIT_MIB=60
fail() { echo "gpu-pack: $*" >&2; exit 1; }

for f in "$B/tg_gpu_tests" "$B/tg_gpu_driver" "$B/Release/libtg_runtime.so" "$B/Release/libtg_cuda.so"; do
  [ -f "$f" ] || fail "missing $f (build with CUDA: TG_CUDA_WHEELS=... node tools/build.mjs, and include bench/CMakeLists.gpu.txt)"
done
command -v strip >/dev/null || fail "strip not found (binutils)"
command -v xz >/dev/null || fail "xz not found (xz-utils)"

rm -rf "$G"
mkdir -p "$G/Release" "$G/lib/compat" "$G/graphs"
for f in tg_gpu_tests tg_gpu_driver; do cp "$B/$f" "$G/$f"; done
for f in libtg_runtime.so libtg_cuda.so; do cp "$B/Release/$f" "$G/Release/$f"; done
strip --strip-unneeded "$G"/tg_gpu_tests "$G"/tg_gpu_driver "$G"/Release/*.so

# Libraries outside glibc's core and the CUDA ones (which come from the machine's PyTorch):
# whatever ldd resolves from this machine's system folders.
SKIP='^(linux-vdso|ld-linux|libc\.so|libm\.so|libpthread|libdl\.so|librt\.so|libz\.so|libcuda\.so|libcudart|libcublas|libcublasLt|libcudnn|libnvrtc|libnvJitLink|libtg_)'
COMPAT='^(libstdc\+\+\.so|libgcc_s\.so)'
for bin in "$G"/tg_gpu_tests "$G"/tg_gpu_driver "$G"/Release/*.so; do
  ldd "$bin" 2>/dev/null | awk '$2 == "=>" && $3 ~ /^\// { print $1, $3 }'
done | sort -u | while read -r name path; do
  if [[ "$name" =~ $SKIP ]]; then continue; fi
  if [[ "$name" =~ $COMPAT ]]; then cp -L "$path" "$G/lib/compat/$name"; continue; fi
  cp -L "$path" "$G/lib/$name"
done
# libtg_cuda.so needs libcublas/libcudnn, which ldd cannot resolve here: they are not copied.
# oneDNN may load libOpenCL at run time (its GPU runtime); harmless to carry (tiny).
[ -e /usr/lib/x86_64-linux-gnu/libOpenCL.so.1 ] && [ ! -e "$G/lib/libOpenCL.so.1" ] && cp -L /usr/lib/x86_64-linux-gnu/libOpenCL.so.1 "$G/lib/"
strip --strip-unneeded "$G"/lib/*.so* "$G"/lib/compat/*.so* 2>/dev/null
for f in "$G"/lib/*.so*; do
  [ "$(stat -c %s "$f")" -gt $((8 << 20)) ] && xz -T2 -6 "$f"
done

# The graphs: export needs Node.js + tsx, so it runs here.
npx tsx tools/export-bench-graphs.ts "$G/graphs" >/dev/null || fail "export-bench-graphs failed"

# What the machine must provide (glibc/libstdc++ symbol versions): printed for the check.
need_glibc=$(objdump -T "$G"/tg_gpu_tests "$G"/tg_gpu_driver "$G"/Release/*.so 2>/dev/null | grep -o 'GLIBC_[0-9.]*' | sort -uV | tail -1)
need_cxx=$(objdump -T "$G"/tg_gpu_tests "$G"/tg_gpu_driver "$G"/Release/*.so 2>/dev/null | grep -o 'GLIBCXX_[0-9.]*' | sort -uV | tail -1)
echo "needs $need_glibc, $need_cxx" > "$G/NEEDS"

find "$G" -type f -printf '%8k KiB  %p\n' | sort -k3
total=$(du -sb "$G" | cut -f1)
mib=$(( (total + (1 << 20) - 1) >> 20 ))
echo "gpu-pack: $G is $mib MiB ($total bytes); $(cat "$G/NEEDS")"
[ "$mib" -lt "$LIMIT_MIB" ] || fail "$G is over $LIMIT_MIB MiB"
