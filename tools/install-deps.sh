#!/usr/bin/env bash
# Installs the Debian packages tensorgraph builds with, when missing.
# Works as root (apt-get) or through sudo; does nothing when everything is present.
set -euo pipefail

# python3-pip: the CUDA toolkit comes from PyPI wheels (tools/install-cuda.sh), and CI checks
# event files with TensorBoard in a venv. chromium: the viewer's page is tested in headless Chromium (the tests skip it when missing).
packages=(cmake g++ python3-pip python3-venv libdnnl-dev libflatbuffers-dev flatbuffers-compiler protobuf-compiler libprotobuf-dev libgrpc++-dev protobuf-compiler-grpc graphviz libgtest-dev zlib1g-dev chromium)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all system packages present (${packages[*]})"
  exit 0
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "install-deps: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
  sudo="sudo"
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
