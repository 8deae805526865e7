#!/usr/bin/env bash
# The PyTorch-export golden: exports every case of tests/io/pytorchGoldenCases.ts with the lab's builder, runs the
# exported train.py on tests/fixtures/pytorch with Debian's python3-torch (+ timm and peft from the venv of
# ../shared/tools/torch-peft-venv.sh), and writes what it computed to tests/fixtures/golden/pytorch_export.json,
# which tests/io/pytorchExport.test.ts compares with the lab's own training code.
# The loader entries also read DICOMs: that python needs pydicom (e.g. pip install pydicom, or PYTHONPATH).
# Run from the repository root: bash scripts/golden_pytorch_export.sh   (PYTHON=... overrides the interpreter)
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-$(../shared/tools/torch-peft-venv.sh)/bin/python}
# PEFT keeps target_modules as a set: a fixed hash seed writes adapter_config.json in the same order every time.
export PYTHONHASHSEED=0
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
npx vite-node scripts/write_pytorch_golden_inputs.ts "$WORK"
for dir in "$WORK"/*/; do
  case_dir=${dir%/}
  adapter=()
  [ -d "$case_dir/initial_adapter" ] && adapter=(--adapter "$case_dir/initial_adapter")
  echo "== $(basename "$case_dir")"
  "$PYTHON" "$case_dir/train.py" --data tests/fixtures/pytorch --config "$case_dir/config.json" \
    --backbone "$case_dir/initial.safetensors" --keep-classifier "${adapter[@]}" --out "$case_dir/out" \
    --device cpu --workers 0 --steps-override 3 --debug-dump "$case_dir/debug" 2>&1 | grep -v -e 'PyTorch >= 2.1' -e 'None of PyTorch'
done
# The adapter train.py saved for lora-sgd (PEFT save_pretrained), for the lab's import test.
mkdir -p tests/fixtures/pytorch/trained_adapter
cp "$WORK/lora-sgd/out/adapter/adapter_config.json" "$WORK/lora-sgd/out/adapter/adapter_model.safetensors" tests/fixtures/pytorch/trained_adapter/
TORCH_DEB_VERSION=$(dpkg-query -W -f '${Version}' python3-torch 2>/dev/null || echo unknown) \
  "$PYTHON" scripts/pytorch_golden_summary.py "$WORK" tests/fixtures/golden/pytorch_export.json
ls -l tests/fixtures/golden/pytorch_export.json
