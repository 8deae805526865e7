#!/usr/bin/env bash
# Builds .gpu/ (git-ignored) here, for scripts/gpu/run.sh on a GPU machine that has PyTorch but no Node and no
# network: this machine's node binary, Dawn's WebGPU for Node (dawn.node from the `webgpu` npm package, MIT),
# the Vulkan loader (Debian's libvulkan1), and bench_gpu.ts bundled with tfjs by esbuild. About 35 MB.
#   bash scripts/gpu/prepare.sh        (then: the device tool runs `bash scripts/gpu/run.sh` with carry [".gpu"])
set -euo pipefail
cd "$(dirname "$0")/../.."
mkdir -p .gpu
if [ ! -f .gpu/node.xz ]; then xz -T2 -c "$(readlink -f "$(command -v node)")" > .gpu/node.xz; fi
if [ ! -f .gpu/dawn.node.xz ]; then
  tmp=$(mktemp -d)
  (cd "$tmp" && npm pack --silent webgpu@0.6.2 >/dev/null && tar xzf webgpu-0.6.2.tgz package/dist/linux-x64/dawn.node package/LICENSE.md)
  xz -T2 -c "$tmp/package/dist/linux-x64/dawn.node" > .gpu/dawn.node.xz
  cp "$tmp/package/LICENSE.md" .gpu/webgpu-LICENSE.md
  rm -rf "$tmp"
fi
if ! ls .gpu/libvulkan1_*.deb >/dev/null 2>&1; then
  lists=$(mktemp -d)
  mkdir -p "$lists/partial"
  o=(-oAPT::Architecture=amd64 -oAPT::Architectures=amd64 "-oDir::State::Lists=$lists")
  apt-get "${o[@]}" update >/dev/null
  (cd .gpu && apt-get "${o[@]}" download libvulkan1 >/dev/null)
  rm -rf "$lists"
fi
# ESM bundle for Node; tfjs's Node build calls require() for built-ins, so the bundle defines one.
npx esbuild scripts/gpu/bench_gpu.ts --bundle --platform=node --format=esm --log-level=warning \
  --outfile=.gpu/bench_gpu.mjs --banner:js="import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);"
du -sh .gpu
