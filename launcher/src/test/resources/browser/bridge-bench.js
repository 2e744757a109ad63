'use strict';
// Issue 19 benchmark (BridgeBenchIT): the Direct Sockets bridge's own overhead in headless Chromium.
// One page of the gateway's origin measures, in the same run and with the same payloads:
//   bridge  page -> bridge WebSocket (/direct-sockets) -> gateway -> TCP echo on loopback -> back,
//           through the library the gateway serves (TCPSocket, its streams, BYOB reads)
//   plain   page -> a plain jakarta WebSocket echo endpoint on the same Jetty (/test-ws/echo), binary
//           messages of the same 64 KiB size as the bridge's, at most `window` bytes in flight (the
//           browser's WebSocket has no flow control; the bridge's read window is 1 MiB)
//   relay   page -> the thinnest WebSocket-to-TCP relay the test bundle can be (/test-ws/relay: each
//           binary message written to a java.net socket to the same TCP echo, each read of it sent back as
//           a message by a thread; no framing, flow control, policy or socket engine), driven as plain:
//           what any relay to a TCP device costs over the plain echo, so bridge / relay is the bridge's own
//           cost beyond the hop to the device
//   frames  page -> the bridge (/direct-sockets) -> the same TCP echo, the bridge's protocol spoken by the
//           page itself (frames built and decoded with the library's frames.js, credit as the library
//           grants it) without TCPSocket and its streams: frames / relay is what the gateway and the
//           protocol cost, bridge / frames what the WICG API's classes and streams cost in the page
// For each: bulk (bulkMiB written in 64 KiB pieces and read back, MiB/s each way, every byte compared)
// and sequential 64-byte round trips (p50, p99, mean in ms). Warm-up first (warmRounds x warmMiB and
// warmTrips on every path), then `rounds` measured rounds, the paths' order rotated every round. The page
// (bridge-bench-page.js) is served by the test bundle WebSocketEcho with COOP/COEP, so it is cross-origin
// isolated and performance.now() is precise to a few µs instead of 100 µs. Two drivers (last argument):
//   chromium    Chromium started alone, no DevTools client: what a user's browser does
//   playwright  through Playwright: DevTools records every WebSocket frame (payload included) in the
//               renderer, the browser process and node, a cost both paths pay per message and per byte
// Prints "MEASURE ..." lines and "BENCH OK"; exits non-zero when it cannot measure.
const path = require('path');
const { withBrowser, runPage } = require(path.join(process.env.BROWSER_TEST_DIR, 'browser.js'));

const [base, token, tcpPort, bulkMiB, roundTrips, warmMiB, warmTrips, window, rounds, warmRounds, driver] = process.argv.slice(2);
const DRIVER = driver === 'chromium' ? 'chromium' : 'playwright';
const DEADLINE = 600000;
const PROFILE = process.env.BRIDGE_BENCH_PROFILE === '1';
// the page's paths, in the order of its output (bridge-bench-page.js's SIDES)
const SIDES = ['bridge', 'plain', 'relay', 'frames'];

function printProfile(title, profiles) {
  const self = new Map();
  let total = 0;
  for (const profile of profiles) {
    const dt = profile.timeDeltas.reduce((x, y) => x + y, 0) / Math.max(1, profile.samples.length) / 1000; // ms per sample
    for (const n of profile.nodes) {
      const f = n.callFrame;
      const key = `${f.functionName || '(anonymous)'} ${f.url ? f.url.replace(/^.*\//, '') + ':' + (f.lineNumber + 1) : ''}`;
      self.set(key, (self.get(key) ?? 0) + n.hitCount * dt);
      total += n.hitCount * dt;
    }
  }
  const top = [...self].sort((x, y) => y[1] - x[1]).slice(0, 25);
  console.log(`PROFILE ${title}: ${total.toFixed(0)} ms sampled`);
  for (const [k, ms] of top) console.log(`PROFILE ${title}   ${ms.toFixed(1).padStart(8)} ms  ${k}`);
}

// The page, served by the test bundle with COOP/COEP; it imports ./bridge-bench-page.js
const PAGE = `${base}/test-ws/bench/page.html`;

// Playwright (DevTools attached: it records every WebSocket frame, base64 of the payload included, in the
// page's renderer, the browser process and node; BRIDGE_BENCH_PROFILE=1 adds V8's profiler per phase)
async function runInPlaywright(args) {
  return withBrowser(async (context) => {
    const page = await context.newPage();
    page.setDefaultTimeout(DEADLINE);
    page.on('console', (m) => console.log('page: ' + m.text()));
    page.on('pageerror', (e) => console.log('page error: ' + e));
    await page.goto(PAGE);
    // V8's sampling profiler per measured phase (console.profile in the page): the page's JavaScript
    // self time by function, printed per phase (where the page's main thread goes)
    let profilesDone = Promise.resolve();
    if (PROFILE) {
      const cdp = await context.newCDPSession(page);
      await cdp.send('Profiler.enable');
      await cdp.send('Profiler.setSamplingInterval', { interval: 100 });
      let left = 2 * SIDES.length * args.rounds; // a profile per measured phase: bulk and trips of each path
      let done;
      const byTitle = new Map();
      profilesDone = new Promise((r) => { done = r; });
      cdp.on('Profiler.consoleProfileFinished', (e) => {
        if (!byTitle.has(e.title)) byTitle.set(e.title, []);
        byTitle.get(e.title).push(e.profile);
        if (--left === 0) {
          for (const [title, profiles] of byTitle) printProfile(title, profiles);
          done();
        }
      });
    }
    const r = await page.evaluate(async (a) => (await import('/test-ws/bench/bridge-bench-page.js')).run(a), { ...args, profile: PROFILE });
    await profilesDone;
    return r;
  });
}

// Chromium alone, no DevTools client: the page as a user's browser runs it. The page gets its arguments
// in the URL and logs its result; Chromium writes the page's console to stderr (--enable-logging=stderr).
async function runWithoutDevTools(args) {
  const url = `${PAGE}?args=${encodeURIComponent(JSON.stringify(args))}`;
  const chunks = [];
  await runPage(url, (text) => {
    if (text.startsWith('RESULT ERROR ')) throw new Error('the page failed: ' + text.slice(13));
    if (text === 'RESULT END') return true;
    if (text.startsWith('RESULT ')) chunks.push(text.slice(7));
    else console.log('page: ' + text);
    return false;
  }, { deadlineMs: DEADLINE });
  return JSON.parse(chunks.join(''));
}

(async () => {
  const args = {
    token, tcpPort: Number(tcpPort), bulkMiB: Number(bulkMiB), roundTrips: Number(roundTrips), warmMiB: Number(warmMiB),
    warmTrips: Number(warmTrips), window: Number(window), rounds: Number(rounds), warmRounds: Number(warmRounds),
  };
  console.log(`DRIVER ${DRIVER === 'chromium' ? 'chromium without DevTools' : 'playwright (DevTools attached)'}`);
  const r = DRIVER === 'chromium' ? await runWithoutDevTools(args) : await runInPlaywright(args);
  const f = (x) => x.toFixed(3);
  console.log(`MEASURE page crossOriginIsolated ${r.isolated} timer ${(r.timerMs * 1000).toFixed(1)} us`);
  console.log(`WebSocket extensions negotiated: ${JSON.stringify(r.extensions)}`);
  for (const name of SIDES) {
    console.log(`MEASURE ${name} bulk ${r[name + 'Bulk'].bytes} bytes ${f(r[name + 'Bulk'].ms)} ms`);
  }
  const list = (xs, d) => xs.map((x) => x.toFixed(d)).join(' ');
  const each = (what) => SIDES.map((name) => what(name)).join('; ');
  console.log(`ROUNDS bulk MiB/s ${each((name) => `${name} ${list(r[name + 'Bulk'].rounds, 1)}`)}`);
  console.log(`ROUNDS round trip p50 ms ${each((name) => `${name} ${list(r[name + 'Trips'].rounds, 3)}`)}`);
  const m = (x) => `${x.out} out (${x.outBytes} bytes), ${x.in} in (${x.inBytes} bytes)`;
  const js = (x) => `onmessage ${x.onmessageMs.toFixed(0)} ms, send() ${x.sendMs.toFixed(0)} ms`;
  console.log(`Page main thread in handlers: ${each((name) => `${name} bulk ${js(r[name + 'Bulk'].messages)}`)};`
    + ` ${each((name) => `${name} round trips ${js(r[name + 'Trips'].messages)}`)}`);
  console.log(`WebSocket messages: ${each((name) => `${name} bulk ${m(r[name + 'Bulk'].messages)}`)};`
    + ` ${each((name) => `${name} round trips ${m(r[name + 'Trips'].messages)}`)}`);
  for (const name of SIDES) {
    const t = r[name + 'Trips'];
    console.log(`MEASURE ${name} rtt n ${t.n} p50 ${f(t.p50)} p99 ${f(t.p99)} mean ${f(t.mean)} max ${f(t.max)} ms`);
  }
  for (const name of SIDES) {
    const t = r[name + 'Trips'];
    console.log(`MEDIAN ${name} trip parts: page to send() ${f(t.parts[0])}, send() to message ${f(t.parts[1])},`
      + ` message to done ${f(t.parts[2])} ms`);
  }
  // the slowest trips of each path, in trip order: periodic (every Nth trip) or clustered in time
  for (const [name, t] of [['bridge', r.bridgeTrips], ['plain', r.plainTrips]]) {
    for (const x of [...t.slow].sort((u, v) => u.i - v.i)) {
      console.log(`SLOW ${name} trip ${x.i} at ${x.at.toFixed(3)} took ${f(x.ms)} ms`
        + ` (page to send() ${f(x.split[0])}, send() to message ${f(x.split[1])}, message to done ${f(x.split[2])})`);
    }
  }
  console.log('warm-up: ' + JSON.stringify(r.warm.map((w) => (w.ms !== undefined ? Math.round(w.ms) + ' ms' : 'p50 ' + f(w.p50)))));
  console.log('BENCH OK');
})().catch((e) => {
  console.error(e && e.stack || e);
  process.exit(1);
});
