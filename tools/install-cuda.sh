#!/usr/bin/env bash
# Installs the CUDA 13.0 toolkit from PyPI wheels (no system CUDA needed) into
# $TG_CUDA_WHEELS (default ~/.cache/tensorgraph-cuda), then prints the folder.
#   tools/install-cuda.sh          # compile-only set (cuDNN headers + loader, ~600 MB)
#   tools/install-cuda.sh --full   # the set that can also run (full cuDNN, ~950 MB)
# Build with it: TG_CUDA_WHEELS=$(tools/install-cuda.sh) npm run build
# The versions match PyTorch 2.11+cu130 (cuBLAS 13.1, cuDNN 9.19), so a machine with that
# PyTorch has the same run-time libraries.
set -euo pipefail
D="${TG_CUDA_WHEELS:-$HOME/.cache/tensorgraph-cuda}"
CUDNN="nvidia-cudnn-jit-cu13==9.19.0.56"
[ "${1:-}" = "--full" ] && CUDNN="nvidia-cudnn-cu13==9.19.0.56"
R="$D/nvidia/cu13"
if [ ! -x "$R/bin/nvcc" ]; then
  mkdir -p "$D"
  PY=python3
  command -v "$PY" >/dev/null || { echo "install-cuda: python3 with pip is needed to fetch the wheels" >&2; exit 1; }
  # One pip call: a second --target install into the same folder copies nothing.
  # crt, nvvm and cudart are named so nvcc's unpinned dependencies stay on 13.0.
  nice -n 19 "$PY" -m pip install -q --no-cache-dir --no-compile --only-binary=:all: --target "$D" \
    "cuda-toolkit[nvcc,crt,nvvm,cudart,cccl,cublas,curand]==13.0.2" "$CUDNN" >&2
fi
# Fix-ups: nvcc.profile looks in lib64; CMake and -l need unversioned .so names.
ln -sfn lib "$R/lib64"
(cd "$R/lib" && for f in libcudart.so.13 libcublas.so.13 libcublasLt.so.13 libcurand.so.10; do
  [ -e "$f" ] && ln -sf "$f" "${f%.so.*}.so"; done)
for c in "$D"/nvidia/cudnn*/lib; do [ -e "$c/libcudnn.so.9" ] && ln -sf libcudnn.so.9 "$c/libcudnn.so"; done
echo "$D"
