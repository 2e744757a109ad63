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

module.exports = { launch, withBrowser, EXECUTABLE };
