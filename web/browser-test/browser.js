'use strict';
// Shared by the browser tests of the web bundles: launches Debian's Chromium headless through
// playwright-core (no browser download), with a fresh empty profile that is deleted afterwards.
//   const { withBrowser } = require('<repo>/web/browser-test/browser.js');
//   await withBrowser(async (browser) => { const page = await browser.newPage(); ... });
//   withBrowser(fn, { args: ['--some-switch'] }) adds Chromium switches to the ones below.
const fs = require('fs');
const os = require('os');
const path = require('path');
const { chromium } = require('playwright-core');

const EXECUTABLE = process.env.CHROMIUM || '/usr/bin/chromium';

async function launch(options = {}) {
  if (!fs.existsSync(EXECUTABLE)) {
    throw new Error(`no Chromium at ${EXECUTABLE}: run .ci/setup (Debian package chromium)`);
  }
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'rawsockets-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: EXECUTABLE,
    headless: true,
    timeout: 60000,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync', ...(options.args || [])],
  });
  const close = async () => {
    try {
      await context.close();
    } finally {
      fs.rmSync(profile, { recursive: true, force: true });
    }
  };
  return { context, close };
}

async function withBrowser(fn, options = {}) {
  const { context, close } = await launch(options);
  try {
    return await fn(context);
  } finally {
    await close();
  }
}

/**
 * Opens `url` in Chromium started alone (no Playwright, no DevTools client attached: the page runs as in a
 * user's browser) and hands every console message of the page to `onConsole(text)` until it returns
 * true; then Chromium is stopped and its profile deleted. Chromium writes the console to its stderr
 * (--enable-logging=stderr); one message per line, so a page logs single lines. Rejects when Chromium
 * exits first, when onConsole throws, or after `deadlineMs`.
 */
async function runPage(url, onConsole, options = {}) {
  if (!fs.existsSync(EXECUTABLE)) {
    throw new Error(`no Chromium at ${EXECUTABLE}: run .ci/setup (Debian package chromium)`);
  }
  const { spawn } = require('child_process');
  const readline = require('readline');
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'rawsockets-chromium-'));
  // Chromium's own temporary files (its process-singleton folder, which a stopped browser leaves behind
  // in $TMPDIR) go inside the profile, removed with it below
  const tmp = path.join(profile, 'tmp');
  fs.mkdirSync(tmp);
  const chromium = spawn(EXECUTABLE, ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync', '--enable-logging=stderr', '--v=0',
    `--user-data-dir=${profile}`, ...(options.args || []), url],
  { stdio: ['ignore', 'ignore', 'pipe'], detached: true, env: { ...process.env, TMPDIR: tmp } });
  // its own process group: stopping it stops its renderer and helper processes too
  const signal = (sig) => {
    try {
      process.kill(-chromium.pid, sig);
    } catch {
      // already gone
    }
  };
  const CONSOLE = /:INFO:CONSOLE[^\]]*\] "(.*)", source: /;
  try {
    await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${url}: no end after ${options.deadlineMs ?? 600000} ms`)),
        options.deadlineMs ?? 600000);
      const lines = readline.createInterface({ input: chromium.stderr });
      lines.on('line', (line) => {
        const m = CONSOLE.exec(line);
        if (!m) return;
        try {
          if (onConsole(m[1])) {
            clearTimeout(timer);
            resolve();
          }
        } catch (e) {
          clearTimeout(timer);
          reject(e);
        }
      });
      chromium.on('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`Chromium exited (${code ?? signal}) before the page was done: ${url}`));
      });
      chromium.on('error', (e) => {
        clearTimeout(timer);
        reject(e);
      });
    });
  } finally {
    chromium.removeAllListeners('exit');
    if (chromium.exitCode === null && chromium.signalCode === null) {
      const gone = new Promise((r) => chromium.once('exit', r));
      signal('SIGTERM');
      const killer = setTimeout(() => signal('SIGKILL'), 5000);
      await gone;
      clearTimeout(killer);
    }
    signal('SIGKILL'); // helpers that outlived the browser process
    // a helper may still be writing into the profile for a moment
    fs.rmSync(profile, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
  }
}

module.exports = { launch, withBrowser, runPage, EXECUTABLE };
