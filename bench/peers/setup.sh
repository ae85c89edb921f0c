#!/usr/bin/env bash
# Installs the Python peers of bench/train.ts (TensorFlow 1.x graph mode via tf.compat.v1,
# and PyTorch, both on CPU) into a private virtual environment, bench/peers/.venv.
# Nothing else in the project uses Python: the build and the tests never run this.
#   bash bench/peers/setup.sh
# Each framework is installed on its own, so one that cannot be installed does not stop the
# other; bench/train.ts skips a peer whose import fails. Exits non-zero only when the venv
# itself cannot be made.
set -u
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
venv="$here/.venv"
python="${PYTHON:-python3}"

if [ ! -x "$venv/bin/python" ]; then
  echo "[setup] creating $venv with $($python --version 2>&1)"
  "$python" -m venv "$venv" || { echo "[setup] cannot create a venv with $python" >&2; exit 1; }
fi
pip=("$venv/bin/python" -m pip install --disable-pip-version-check --progress-bar off)

ok() { "$venv/bin/python" -c "import $1" >/dev/null 2>&1; }

if ok tensorflow; then
  echo "[setup] tensorflow already installed"
else
  echo "[setup] installing tensorflow-cpu"
  "${pip[@]}" tensorflow-cpu || echo "[setup] tensorflow-cpu could not be installed" >&2
fi

if ok torch; then
  echo "[setup] torch already installed"
else
  # The CPU-only wheels are a fraction of the size of PyPI's (which bundle CUDA); that index
  # may be unreachable, so try it briefly and fall back to PyPI.
  echo "[setup] installing torch (CPU wheel index first)"
  "${pip[@]}" --timeout 20 --retries 0 --index-url https://download.pytorch.org/whl/cpu torch ||
    { echo "[setup] CPU wheel index failed; installing torch from PyPI"; "${pip[@]}" torch; } ||
    echo "[setup] torch could not be installed" >&2
fi

for m in tensorflow torch; do
  if ok "$m"; then
    echo "[setup] $m $("$venv/bin/python" -c "import $m; print($m.__version__)" 2>/dev/null)"
  else
    echo "[setup] $m: import fails" >&2
  fi
done
exit 0
