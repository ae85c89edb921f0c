#!/usr/bin/env bash
# The main job on a fresh Debian machine with Node 20: system packages, install (which
# builds everything from source), then a demo training: a LeNet-5-style CNN on the built-in
# generated digits (train, checkpoint, restore, evaluate; under a minute on 2 cores), with
# summaries for the viewer.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/install-deps.sh
npm ci --no-audit --no-fund
logdir=${LOGDIR:-$(mktemp -d -t tensorgraph-logs-XXXXXX)}
npx tsx examples/mnist_cnn.ts --logdir "$logdir" "$@"
echo
echo "Training curves and the graph: npx tensorgraph-board --logdir $logdir   (then open http://127.0.0.1:6006)"
