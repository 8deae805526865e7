/**
 * Build + static server for the benchmark (scripts/bench.mjs).
 * The benchmark builds into its own folder (bench-out/dist, git-ignored) rather than dist/: other people run
 * `vite build` for the e2e suite on this machine at the same time, and a rebuild of dist/ in the middle of a
 * 15-minute benchmark would swap the hashed assets under the running page.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const BUILD_INPUTS = ['src', 'public', 'harness.html', 'index.html', 'vite.config.ts', 'package.json'];

function newestMtime(path) {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const name of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, name)));
  return newest;
}

/** Builds `outDir` with Vite when it is missing or older than its inputs (unless `skip`). Returns what it did. */
export function ensureBuild(root, outDir, { skip = false } = {}) {
  const marker = join(outDir, 'harness.html');
  if (skip) {
    if (!existsSync(marker)) throw new Error(`--no-build given but ${marker} does not exist`);
    return 'build skipped (--no-build)';
  }
  const builtAt = existsSync(marker) ? statSync(marker).mtimeMs : 0;
  const sourcesAt = Math.max(...BUILD_INPUTS.map((p) => newestMtime(join(root, p))));
  if (builtAt > sourcesAt) return `build is up to date (${outDir})`;
  // `vite build` only (no tsc): the benchmark must not depend on files others are still typing.
  const result = spawnSync(process.execPath, [join(root, 'node_modules/vite/bin/vite.js'), 'build', '--outDir', outDir, '--emptyOutDir', '--logLevel', 'warn'], {
    cwd: root,
    stdio: 'inherit',
  });
  if (result.status !== 0) throw new Error(`vite build failed (exit ${result.status})`);
  return `built ${outDir}`;
}

/** Starts `vite preview` on `port` (strict) and resolves once it answers. */
export async function startPreview(root, outDir, port) {
  const child = spawn(process.execPath, [join(root, 'node_modules/vite/bin/vite.js'), 'preview', '--outDir', outDir, '--port', String(port), '--strictPort'], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  const url = `http://localhost:${port}`;
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`vite preview exited (${child.exitCode}): ${output.trim()}`);
    try {
      const response = await fetch(`${url}/harness.html`);
      if (response.ok) {
        return {
          url,
          stop: () => {
            if (child.exitCode === null) child.kill('SIGTERM');
          },
        };
      }
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  child.kill('SIGTERM');
  throw new Error(`vite preview did not answer on ${url} within 30 s: ${output.trim()}`);
}
