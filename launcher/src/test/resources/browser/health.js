'use strict';
// Opens http://127.0.0.1:<port>/health in headless Chromium, prints the body, saves a screenshot.
const path = require('path');
const { withBrowser } = require(path.join(process.env.BROWSER_TEST_DIR, 'browser.js'));

const base = process.argv[2];
withBrowser(async (context) => {
  const page = await context.newPage();
  const response = await page.goto(base + '/health', { timeout: 60000 });
  console.log('status ' + response.status());
  console.log('body ' + (await page.textContent('body')).trim());
  await page.screenshot({ path: path.join(process.env.SCREENSHOT_DIR, 'health.png') });
}).catch((e) => {
  console.error(e && e.stack || e);
  process.exit(1);
});
