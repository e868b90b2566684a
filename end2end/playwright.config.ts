import { defineConfig, devices } from '@playwright/test';

// The server under test: scripts/test.sh starts it on a free loopback port
// with a fresh data directory and passes its URL in AMTSWEG_BASE_URL.
const baseURL = process.env.AMTSWEG_BASE_URL ?? 'http://127.0.0.1:3000';

// Debian's Chromium (apt-get install chromium), never Playwright's download.
// The flags keep it from calling Google's services, which this network refuses.
const launchOptions = {
  executablePath: '/usr/bin/chromium',
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
    '--disable-quic',
  ],
};

export default defineConfig({
  testDir: './tests',
  fullyParallel: false,
  forbidOnly: !!process.env.CI,
  retries: 0,
  workers: 1,
  reporter: 'list',
  timeout: 30_000,
  expect: { timeout: 10_000 },
  use: {
    baseURL,
    locale: 'de-DE',
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
  },
  projects: [
    {
      name: 'js-on',
      use: { ...devices['Desktop Chrome'], launchOptions, javaScriptEnabled: true },
    },
    {
      name: 'js-off',
      // These need the wasm bundle, so JavaScript.
      testIgnore: /(hydration|editor-live)\.spec\.ts/,
      use: { ...devices['Desktop Chrome'], launchOptions, javaScriptEnabled: false },
    },
  ],
});
