#!/usr/bin/env bash
# On the GPU machine, from the repository root, with .gpu/ carried (scripts/gpu/prepare.sh): tfjs-WebGPU over
# Dawn/Vulkan (the lab's training-step benchmark and its PyTorch numerics check), then PyTorch on CUDA on the
# same steps. Writes gpu-tfjs.json, gpu-torch.json and gpu-table.txt to $OUT (or .gpu/out).
set -uo pipefail
out=${OUT:-.gpu/out}
mkdir -p "$out" /tmp/gpu
for f in .gpu/libvulkan1_*.deb; do dpkg -x "$f" /tmp/gpu/root; done
export LD_LIBRARY_PATH=/tmp/gpu/root/usr/lib/x86_64-linux-gnu${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
icd=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
if [ -f "$icd" ]; then export VK_DRIVER_FILES=$icd VK_ICD_FILENAMES=$icd; fi
xz -dc .gpu/node.xz > /tmp/gpu/node && chmod +x /tmp/gpu/node
xz -dc .gpu/dawn.node.xz > /tmp/gpu/dawn.node
export DAWN_NODE=/tmp/gpu/dawn.node
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader || true
echo "== tfjs-webgpu (Dawn) =="
timeout "${TFJS_TIMEOUT:-300}" /tmp/gpu/node .gpu/bench_gpu.mjs --out "$out/gpu-tfjs.json" ${TFJS_ARGS:-}
echo "tfjs exit: $?"
echo "== PyTorch CUDA =="
timeout "${TORCH_TIMEOUT:-180}" python3 scripts/bench_torch.py --device cuda --sizes 112,224 --reps 5 --warmup 2 --threads 16 > "$out/gpu-torch.json"
echo "torch exit: $?"
/tmp/gpu/node scripts/gpu/report.mjs "$out/gpu-tfjs.json" "$out/gpu-torch.json" | tee "$out/gpu-table.txt"
