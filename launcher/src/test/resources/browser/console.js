'use strict';
// The web console in headless Chromium (ConsoleBrowserIT): logged-out access refused, log in, a socket
// of the test bundle appears live, is closed from the page, a refusal's suggested grant is added from
// the Policy page and the same open then succeeds, a CSRF-less and a cross-origin POST are refused.
// Prints one line per step ("STEP name ms"); exits non-zero on the first failure.
const fs = require('fs');
const path = require('path');
const { withBrowser } = require(path.join(process.env.BROWSER_TEST_DIR, 'browser.js'));

const [base, password, home, portA, portB] = process.argv.slice(2);
const shots = process.env.SCREENSHOT_DIR;
const DEADLINE = 90000;
const started = Date.now();
const step = (name, extra) => console.log('STEP ' + name + ' ' + (Date.now() - started) + (extra ? ' ' + extra : ''));

function configure(port, message) {
  const file = path.join(home, 'etc', 'rawsockets.test.peerclient.cfg');
  fs.writeFileSync(file + '.tmp', `host=127.0.0.1\nport=${port}\ncount=1\nmessage=${message}\n`);
  fs.renameSync(file + '.tmp', file);
}

async function until(what, fn) {
  const end = Date.now() + DEADLINE;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error('timed out waiting for ' + what);
    await new Promise((r) => setTimeout(r, 50));
  }
}

withBrowser(async (context) => {
  const page = await context.newPage();
  page.setDefaultTimeout(DEADLINE);
  // Logged out: the page sends to the login, the API answers 401.
  await page.goto(base + '/');
  if (!page.url().endsWith('/login')) throw new Error('logged-out page not redirected to /login: ' + page.url());
  const anon = await context.request.get(base + '/api/sockets');
  if (anon.status() !== 401) throw new Error('logged-out API answered ' + anon.status());
  step('logged-out-refused');

  await page.fill('input[name=user]', 'admin');
  await page.fill('input[name=password]', password);
  await page.click('button[type=submit]');
  await page.waitForURL(base + '/');
  await page.waitForSelector('#sockets-live:has-text("live")');
  await page.screenshot({ path: path.join(shots, 'console-sockets-empty.png') });
  step('logged-in');

  // A socket of the test bundle appears without a reload.
  configure(portA, 'one');
  const sock = await until('the API to report the socket to ' + portA, async () => {
    const r = await page.request.get(base + '/api/sockets');
    return (await r.json()).find((s) => s.remote && s.remote.endsWith(':' + portA));
  });
  const seen = Date.now();
  const row = page.locator(`#sockets-rows tr[data-id="${sock.id}"]`);
  await row.waitFor();
  step('socket-row', 'latency=' + (Date.now() - seen) + 'ms id=' + sock.id);
  // The row follows the socket's state live: once it is open, the table shows what the API reports.
  await until('the row to show the open socket', async () => {
    const c = await row.locator('td').allTextContents();
    return c[5] === 'OPEN' && c[4] === sock.remote;
  });
  const cells = await row.locator('td').allTextContents();
  if (cells[1] !== sock.owner || cells[4] !== sock.remote || cells[2] !== sock.kind || cells[6] !== 'none') {
    throw new Error('table row ' + JSON.stringify(cells) + ' differs from the API ' + JSON.stringify(sock));
  }
  if (await row.locator('td.throughput svg polyline').count() !== 1) throw new Error('no throughput sparkline in the row');
  await page.screenshot({ path: path.join(shots, 'console-sockets.png') });

  // Close it from the page.
  await row.locator('button.close-socket').click();
  await row.waitFor({ state: 'detached' });
  step('closed-from-page');

  // CSRF-less and cross-origin POSTs are refused.
  const noCsrf = await page.evaluate(async (id) => (await fetch('/api/sockets/' + id + '/close', { method: 'POST' })).status, sock.id);
  if (noCsrf !== 403) throw new Error('POST without CSRF token answered ' + noCsrf);
  const csrf = (await (await page.request.get(base + '/api/session')).json()).csrf;
  const cross = await page.request.post(base + '/api/sockets/' + sock.id + '/close', { headers: { 'X-CSRF-Token': csrf, Origin: 'http://evil.example' } });
  if (cross.status() !== 403) throw new Error('cross-origin POST answered ' + cross.status());
  step('csrf-and-cross-origin-refused');

  // A refusal, its suggested grant added from the Policy page, then the same open succeeds.
  configure(portB, 'two');
  await page.click('nav a[data-tab=policy]');
  const line = `rawsockets.test.peerclient tcp 127.0.0.1 ${portB}`;
  const refusal = page.locator('#refusal-rows tr.refusal', { has: page.locator('td.suggested-line', { hasText: line }) }).first();
  await until('the refusal on the Policy page', async () => {
    if (await refusal.count()) return true;
    await page.click('nav a[data-tab=policy]'); // reloads the tab's data (also pushed by the live audit)
    await new Promise((r) => setTimeout(r, 200));
    return false;
  });
  await page.screenshot({ path: path.join(shots, 'console-policy-refusal.png') });
  let confirmed = null;
  page.once('dialog', async (d) => { confirmed = d.message(); await d.accept(); });
  await refusal.locator('button.add-grant').click();
  await page.waitForSelector('#status:has-text("granted grant.")');
  if (!confirmed || !confirmed.includes(line)) throw new Error('the confirmation did not show the exact line: ' + confirmed);
  step('grant-added', JSON.stringify(confirmed.split('\n')[1]));
  await page.screenshot({ path: path.join(shots, 'console-policy-granted.png') });
  // Config Admin delivers the new policy asynchronously: open again once the grant is in force.
  await until('the grant to be in force', async () => {
    const r = await page.request.get(base + '/api/policy/explain?bundle=rawsockets.test.peerclient&kind=tcp&host=127.0.0.1&port=' + portB);
    return r.ok() && (await r.json()).every((e) => e.allowed);
  });
  configure(portB, 'three');
  // The peer reads the line and hangs up, so the socket may be gone at once: the audit has the open.
  await until('the open to ' + portB + ' after the grant', async () => {
    const r = await page.request.get(base + '/api/audit?outcome=OPENED&max=10000');
    return (await r.json()).entries.find((e) => e.address && e.address.endsWith(':' + portB));
  });
  step('open-after-grant');

  // Bundles: a deploy/ bundle can be updated and uninstalled, the console itself cannot.
  await page.click('nav a[data-tab=bundles]');
  await page.waitForSelector('#bundles-rows tr[data-bsn="rawsockets.test.peerclient"] button.uninstall');
  if (await page.locator('#bundles-rows tr[data-bsn="org.rawsockets.console"] button.uninstall').count()) {
    throw new Error('the console offers to uninstall itself');
  }
  // quota use of the test bundle, which holds its socket service: "n/256 sockets, 0/64 opening, ... buffered"
  const quota = await page.locator('#bundles-rows tr[data-bsn="rawsockets.test.peerclient"] td:nth-child(7)').textContent();
  if (!/^\d+\/\d+ sockets, \d+\/\d+ opening, [0-9.]+ (B|KiB|MiB)\/[0-9.]+ (B|KiB|MiB) buffered$/.test(quota)) {
    throw new Error('the quota use cell of the test bundle reads "' + quota + '"');
  }
  await page.screenshot({ path: path.join(shots, 'console-bundles.png') });
  step('bundles');

  await page.click('nav a[data-tab=audit]');
  await page.waitForSelector('#audit-rows tr');
  // Filters: the open after the grant, by destination and outcome; nothing of the first peer is left.
  await page.fill('#audit-filters input[name=destination]', ':' + portB);
  await page.selectOption('#audit-filter', 'OPENED');
  await until('the audit filtered to the open of ' + portB, async () => {
    const dest = await page.locator('#audit-rows tr td:nth-child(6)').allTextContents();
    const outcome = await page.locator('#audit-rows tr td:nth-child(3)').allTextContents();
    return dest.length > 0 && dest.every((d) => d.endsWith(':' + portB)) && outcome.every((o) => o === 'OPENED');
  });
  await page.screenshot({ path: path.join(shots, 'console-audit.png') });
  await page.click('nav a[data-tab=devices]');
  await page.click('nav a[data-tab=sockets]');
  await page.click('#logout');
  await page.waitForURL(base + '/login');
  const after = await page.request.get(base + '/api/sockets');
  if (after.status() !== 401) throw new Error('after logout the API answered ' + after.status());
  step('logged-out');
}).then(() => console.log('BROWSER OK'), (e) => {
  console.error(e && e.stack || e);
  process.exit(1);
});
