#!/usr/bin/env bash
# Distributed for real: the exported train.py run with `torchrun --nproc_per_node=2` (gloo on CPU) against one
# process with the whole batch, and against one process with gradient accumulation (--micro-batch 1), on the
# golden cases of tests/io/pytorchGoldenCases.ts (tiny real dataset tests/fixtures/pytorch, batch 4: two rows per
# process). Compares loss, gradients and updated tensors of the first two steps (step 1 has lr 0 under warm-up,
# step 2 moves the weights) and the validation / test records (evaluation is sharded and gathered).
# torchrun is started through scripts/torchrun_compat.py: Debian 12's torch 1.13 launcher fails on Python 3.11 (see
# there); with a newer torch, `torchrun` itself does the same.
# Run from the repository root: bash scripts/torchrun_equivalence.sh    (PYTHON=... overrides the interpreter)
# Its output is recorded in docs/pytorch-export.md.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-$(../shared/tools/torch-peft-venv.sh)/bin/python}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
npx vite-node scripts/write_pytorch_golden_inputs.ts "$WORK" >/dev/null 2>&1
quiet() { grep -v -e 'PyTorch >= 2.1' -e 'None of PyTorch' -e '^step ' -e '^wrote ' || true; }
"$PYTHON" - <<'PY' 2>&1 | quiet
import peft, timm, torch, torch.distributed as dist
print(f'torch {torch.__version__}, timm {timm.__version__}, peft {peft.__version__}, gloo available: {dist.is_gloo_available()}')
PY
echo "python3-torch (Debian): $(dpkg-query -W -f '${Version}' python3-torch 2>/dev/null || echo unknown)"
status=0
for name in lora-adamw-augment fft-adamw; do
  case_dir="$WORK/$name"
  common=(--data tests/fixtures/pytorch --config "$case_dir/config.json" --backbone "$case_dir/initial.safetensors"
          --keep-classifier --device cpu --workers 0 --steps-override 2 --debug-steps 2)
  [ -d "$case_dir/initial_adapter" ] && common+=(--adapter "$case_dir/initial_adapter")
  "$PYTHON" "$case_dir/train.py" "${common[@]}" --out "$WORK/one/$name/out" --debug-dump "$WORK/one/$name/debug" 2>&1 | quiet
  OMP_NUM_THREADS=1 "$PYTHON" scripts/torchrun_compat.py --standalone --nproc_per_node=2 "$case_dir/train.py" "${common[@]}" \
    --out "$WORK/two/$name/out" --debug-dump "$WORK/two/$name/debug" 2>&1 | quiet
  "$PYTHON" "$case_dir/train.py" "${common[@]}" --micro-batch 1 --out "$WORK/micro/$name/out" --debug-dump "$WORK/micro/$name/debug" 2>&1 | quiet
  echo "$name: torchrun --nproc_per_node=2 (gloo) vs 1 process, batch 4"
  "$PYTHON" scripts/compare_debug_dumps.py "$WORK/one/$name" "$WORK/two/$name" 2>&1 | quiet || status=1
  echo "$name: 1 process with --micro-batch 1 (4 accumulated passes) vs the whole batch"
  "$PYTHON" scripts/compare_debug_dumps.py "$WORK/one/$name" "$WORK/micro/$name" 2>&1 | quiet || status=1
  grep -h '"worldSize"' "$WORK/two/$name/out/metrics.json" | sed 's/^ */  metrics.json of the torchrun run: /'
done
exit $status
