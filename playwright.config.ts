import { defineConfig } from '@playwright/test';

// PW_PORT lets two checkouts run their e2e suites side by side without sharing a server.
const PORT = Number(process.env.PW_PORT ?? 4173);

/**
 * End-to-end tests in Debian's Chromium (Playwright cannot download browsers here), headless, with
 * WebGPU enabled (SwiftShader adapter in headless Chromium). The app is served by `vite preview` from dist/.
 */
export default defineConfig({
  testDir: 'e2e',
  testMatch: /.*\.spec\.ts/,
  timeout: 240_000,
  expect: { timeout: 30_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [['list']],
  use: {
    baseURL: `http://localhost:${PORT}`,
    headless: true,
    viewport: { width: 1280, height: 900 },
    acceptDownloads: true,
    launchOptions: {
      executablePath: process.env.CHROME_PATH || '/usr/bin/chromium',
      args: ['--enable-unsafe-webgpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
    },
  },
  webServer: {
    command: `npx vite preview --port ${PORT} --strictPort`,
    url: `http://localhost:${PORT}`,
    // Always this build: a server left on the port by something else must not be tested instead.
    reuseExistingServer: false,
    timeout: 60_000,
  },
});
