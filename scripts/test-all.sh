#!/usr/bin/env bash
# Installs what the tests need on Debian/Ubuntu (Chromium from apt, npm packages) and runs every test:
# type check, unit tests (Vitest, Node) and end-to-end tests (Playwright driving Debian's Chromium with WebGPU).
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v chromium >/dev/null 2>&1 && [ -z "${CHROME_PATH:-}" ]; then
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then
    if ! command -v sudo >/dev/null 2>&1; then
      echo "Chromium is missing and installing it needs root: run 'apt-get install -y chromium' as root, or set CHROME_PATH." >&2
      exit 1
    fi
    SUDO="sudo"
  fi
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -q
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium
fi

npm ci --no-audit --no-fund
exec npm test
