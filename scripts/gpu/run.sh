#!/usr/bin/env bash
# On the GPU machine, from the repository root, with .gpu/ carried (scripts/gpu/prepare.sh): tfjs-WebGPU over
# Dawn/Vulkan (the lab's training-step benchmark and its PyTorch numerics check), then PyTorch on CUDA on the
# same steps. Writes gpu-tfjs.json, gpu-torch.json and gpu-table.txt to $OUT (or .gpu/out).
set -uo pipefail
out=${OUT:-.gpu/out}
mkdir -p "$out" .gpu/root
for f in .gpu/libvulkan1_*.deb; do dpkg -x "$f" .gpu/root; done
export LD_LIBRARY_PATH=$PWD/.gpu/root/usr/lib/x86_64-linux-gnu${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
icd=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
if [ -f "$icd" ]; then export VK_DRIVER_FILES=$icd VK_ICD_FILENAMES=$icd; fi
if [ -d /usr/local/nvidia/lib64 ]; then export LD_LIBRARY_PATH=$LD_LIBRARY_PATH:/usr/local/nvidia/lib64; fi
ls /usr/local/nvidia/share/vulkan/icd.d /usr/share/vulkan/icd.d /etc/vulkan/icd.d 2>/dev/null
unxz() { python3 -c 'import lzma, shutil, sys; shutil.copyfileobj(lzma.open(sys.argv[1]), open(sys.argv[2], "wb"))' "$1" "$2"; }
unxz .gpu/node.xz /tmp/gpu/node && chmod +x /tmp/gpu/node
unxz .gpu/dawn.node.xz /tmp/gpu/dawn.node
export DAWN_NODE=/tmp/gpu/dawn.node
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader || true
echo "== tfjs-webgpu (Dawn) =="
timeout "${TFJS_TIMEOUT:-300}" /tmp/gpu/node .gpu/bench_gpu.mjs --out "$out/gpu-tfjs.json" ${TFJS_ARGS:-}
echo "tfjs exit: $?"
if [ -n "${FULL_BATCH:-}" ]; then
  # The lab sizes WebGPU micro-batches for a 2 GiB budget (a page cannot see GPU memory); on a large GPU,
  # also time whole batches of 32 at 224 px for comparison.
  timeout "${TFJS_TIMEOUT:-300}" /tmp/gpu/node .gpu/bench_gpu.mjs --sizes 224 --micro-batch 32 --out "$out/gpu-tfjs-batch32.json"
  echo "tfjs (whole batch) exit: $?"
fi
echo "== PyTorch CUDA =="
timeout "${TORCH_TIMEOUT:-180}" python3 scripts/bench_torch.py --device cuda --sizes 112,224 --reps 5 --warmup 2 --threads 16 > "$out/gpu-torch.json"
echo "torch exit: $?"
/tmp/gpu/node scripts/gpu/report.mjs "$out/gpu-tfjs.json" "$out/gpu-torch.json" "$out/gpu-tfjs-batch32.json" | tee "$out/gpu-table.txt"
