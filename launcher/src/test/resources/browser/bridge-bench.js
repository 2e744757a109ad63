'use strict';
// Issue 19 benchmark (BridgeBenchIT): the Direct Sockets bridge's own overhead in headless Chromium.
// One page of the gateway's origin measures, in the same run and with the same payloads:
//   bridge  page -> bridge WebSocket (/direct-sockets) -> gateway -> TCP echo on loopback -> back,
//           through the library the gateway serves (TCPSocket, its streams, BYOB reads)
//   plain   page -> a plain jakarta WebSocket echo endpoint on the same Jetty (/test-ws/echo), binary
//           messages of the same 64 KiB size as the bridge's, at most `window` bytes in flight (the
//           browser's WebSocket has no flow control; the bridge's read window is 1 MiB)
// For each: bulk (bulkMiB written in 64 KiB pieces and read back, MiB/s each way, every byte compared)
// and sequential 64-byte round trips (p50, p99, mean in ms). Warm-up first (warmMiB and warmTrips on
// both paths), then the measured runs, interleaved bridge/plain. The page is served (Playwright route)
// with COOP/COEP so it is cross-origin isolated and performance.now() is precise to a few µs instead
// of 100 µs; a document answered by Playwright has no address, so Chromium's local network access
// check (which would block its WebSockets to 127.0.0.1) is switched off for this browser. Prints "MEASURE ..." lines and "BENCH OK"; exits non-zero when it cannot measure.
const path = require('path');
const { withBrowser } = require(path.join(process.env.BROWSER_TEST_DIR, 'browser.js'));

const [base, token, tcpPort, bulkMiB, roundTrips, warmMiB, warmTrips, window, rounds, warmRounds] = process.argv.slice(2);
const DEADLINE = 600000;
const PROFILE = process.env.BRIDGE_BENCH_PROFILE === '1';

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

withBrowser(async (context) => {
  const page = await context.newPage();
  page.setDefaultTimeout(DEADLINE);
  page.on('console', (m) => console.log('page: ' + m.text()));
  page.on('pageerror', (e) => console.log('page error: ' + e));
  await page.route(base + '/bridge-bench.html', (route) => route.fulfill({
    status: 200,
    contentType: 'text/html',
    headers: { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' },
    body: '<!doctype html><title>bridge benchmark</title>',
  }));
  await page.goto(base + '/bridge-bench.html');
  // BRIDGE_BENCH_PROFILE=1: V8's sampling profiler per measured phase (console.profile in the page), the
  // page's JavaScript self time by function printed per phase (where the page's main thread goes)
  let profilesDone = Promise.resolve();
  if (PROFILE) {
    const cdp = await context.newCDPSession(page);
    await cdp.send('Profiler.enable');
    await cdp.send('Profiler.setSamplingInterval', { interval: 100 });
    let left = 4 * Number(rounds);
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

  const r = await page.evaluate(async (a) => {
    // WebSocket messages each way, counted per measurement (where the bridge's time goes: how many
    // messages it takes for the same bytes)
    // and the page's main-thread time inside the message handlers (the library's decoder and
    // stream enqueues, or the plain path's own handler) and inside send() (ms)
    const zero = { in: 0, inBytes: 0, out: 0, outBytes: 0, onmessageMs: 0, sendMs: 0 };
    const count = { ...zero };
    const counted = () => {
      const c = { ...count };
      Object.assign(count, zero);
      return c;
    };
    // per round trip: when the page first called send() and when the last message arrived (performance.now()),
    // to split a slow trip into page before send / outside the page (browser network, gateway, echo) / page after
    const mark = { send: 0, msg: 0 };
    const send = WebSocket.prototype.send;
    WebSocket.prototype.send = function (data) {
      if (mark.send === 0) mark.send = performance.now();
      count.out++;
      count.outBytes += data.byteLength ?? data.size ?? data.length;
      const t0 = performance.now();
      try {
        return send.call(this, data);
      } finally {
        count.sendMs += performance.now() - t0;
      }
    };
    const Native = WebSocket;
    const handler = Object.getOwnPropertyDescriptor(Native.prototype, 'onmessage');
    window.WebSocket = class extends Native {
      constructor(...args) {
        super(...args);
        this.addEventListener('message', (e) => {
          mark.msg = performance.now();
          count.in++;
          count.inBytes += e.data.byteLength ?? e.data.size ?? e.data.length;
        });
      }
      get onmessage() {
        return handler.get.call(this);
      }
      set onmessage(fn) {
        handler.set.call(this, fn && ((e) => {
          const t0 = performance.now();
          try {
            return fn.call(this, e);
          } finally {
            count.onmessageMs += performance.now() - t0;
          }
        }));
      }
    };
    const { configure, TCPSocket } = await import('/direct-sockets/lib/direct-sockets.js');
    const bridge = configure(`ws://${location.host}/direct-sockets`, { token: a.token });
    const CHUNK = 65536;
    const P = 1 << 20;
    const pattern = new Uint8Array(P);
    for (let off = 0; off < P; off += 65536) crypto.getRandomValues(pattern.subarray(off, off + 65536));
    const piece = (off) => pattern.subarray(off % P, off % P + CHUNK);
    // the first offset where buf differs from the repeated pattern, -1 when equal
    const mismatch = (buf, n) => {
      const got = new Uint32Array(buf, 0, n >> 2);
      const want = new Uint32Array(pattern.buffer);
      for (let i = 0; i < got.length; i++) if (got[i] !== want[i & ((P >> 2) - 1)]) return i * 4;
      return -1;
    };
    const stats = (t) => {
      const s = Float64Array.from(t).sort();
      const q = (p) => s[Math.max(0, Math.ceil(p * s.length) - 1)];
      return { n: s.length, p50: q(0.5), p99: q(0.99), mean: s.reduce((x, y) => x + y, 0) / s.length, max: s[s.length - 1] };
    };
    // the median of each part of a trip over all trips (page until send(), send() to the answer's message, message to done)
    const medianSplit = (splits) => [0, 1, 2].map((k) => {
      const s = Float64Array.from(splits.map((x) => x[k])).sort();
      return s[Math.floor(s.length / 2)];
    });
    // the SLOWEST slowest trips: index, wall-clock start (epoch ms, to match the gateway's GC log) and ms
    const SLOWEST = 20;
    // and its split: page until the first send(), send() to the last message event, that event to the end
    const slowest = (times, starts, splits) => times.map((ms, i) => ({ i, at: performance.timeOrigin + starts[i], ms, split: splits[i] }))
      .sort((x, y) => y.ms - x.ms).slice(0, SLOWEST);
    const split = (t0, t1) => [mark.send - t0, mark.msg - mark.send, t1 - mark.msg];
    const timer = () => {
      let min = Infinity;
      for (let i = 0; i < 1000; i++) {
        const t0 = performance.now();
        let t1 = t0;
        while (t1 === t0) t1 = performance.now();
        min = Math.min(min, t1 - t0);
      }
      return min;
    };

    const bridgeBulk = async (n) => {
      const socket = new TCPSocket('127.0.0.1', a.tcpPort, { noDelay: true });
      const { readable, writable } = await socket.opened;
      const writer = writable.getWriter();
      const reader = readable.getReader({ mode: 'byob' });
      // reads into one 64 KiB buffer (a BYOB read transfers it, the read gives it back), copied into the
      // whole as the plain path copies each message: BYOB reads straight into the 64 MiB whole would
      // transfer 64 MiB per read, which V8 counts as that much new external memory each time (its
      // garbage collector then ran ~0.35 s per 64 MiB, in the page, not in the library)
      const buf = new Uint8Array(n);
      let chunk = new ArrayBuffer(CHUNK);
      counted();
      const t0 = performance.now();
      const writing = (async () => {
        for (let off = 0; off < n; off += CHUNK) await writer.write(piece(off));
      })();
      let got = 0;
      while (got < n) {
        const { value, done } = await reader.read(new Uint8Array(chunk, 0, Math.min(CHUNK, n - got)));
        if (done) break;
        buf.set(value, got);
        chunk = value.buffer;
        got += value.byteLength;
      }
      await writing;
      const ms = performance.now() - t0;
      const messages = counted();
      await writer.close(); // half-close: the echo answers with its FIN
      const end = await reader.read(new Uint8Array(16));
      reader.releaseLock();
      writer.releaseLock();
      await socket.closed;
      if (got !== n || !end.done) throw new Error(`bridge bulk: ${got} of ${n} bytes, eof ${end.done}`);
      const bad = mismatch(buf.buffer, n);
      if (bad >= 0) throw new Error('bridge bulk: echoed bytes differ at ' + bad);
      return { bytes: n, ms, messages };
    };

    const openPlain = () => new Promise((resolve, reject) => {
      const ws = new WebSocket(`ws://${location.host}/test-ws/echo`);
      ws.binaryType = 'arraybuffer';
      ws.onopen = () => resolve(ws);
      ws.onerror = () => reject(new Error('the plain WebSocket echo at /test-ws/echo did not open'));
    });

    const plainBulk = async (n) => {
      const ws = await openPlain();
      const buf = new Uint8Array(n);
      const result = await new Promise((resolve, reject) => {
        let sent = 0;
        let got = 0;
        counted();
        const t0 = performance.now();
        const pump = () => {
          while (sent < n && sent - got < a.window) {
            ws.send(piece(sent));
            sent += CHUNK;
          }
        };
        ws.onmessage = (e) => {
          const b = new Uint8Array(e.data);
          if (got + b.byteLength > n) return reject(new Error(`plain bulk: more than ${n} bytes echoed`));
          buf.set(b, got);
          got += b.byteLength;
          if (got === n) resolve({ bytes: n, ms: performance.now() - t0, messages: counted() });
          else pump();
        };
        ws.onclose = (e) => reject(new Error(`plain bulk: closed ${e.code} ${e.reason} after ${got} of ${n} bytes`));
        pump();
      });
      ws.onclose = null;
      ws.close();
      const bad = mismatch(buf.buffer, n);
      if (bad >= 0) throw new Error('plain bulk: echoed bytes differ at ' + bad);
      return result;
    };

    const msg = pattern.subarray(0, 64);
    const bridgeTrips = async (count) => {
      const socket = new TCPSocket('127.0.0.1', a.tcpPort, { noDelay: true });
      const { readable, writable } = await socket.opened;
      const writer = writable.getWriter();
      const reader = readable.getReader();
      const times = [];
      const starts = [];
      const splits = [];
      counted();
      for (let i = 0; i < count; i++) {
        const t0 = performance.now();
        starts.push(t0);
        mark.send = 0;
        mark.msg = 0;
        const w = writer.write(msg);
        let got = 0;
        while (got < 64) {
          const { value, done } = await reader.read();
          if (done) throw new Error(`bridge round trip ${i}: the echo ended the stream`);
          got += value.byteLength;
        }
        await w;
        const t1 = performance.now();
        times.push(t1 - t0);
        splits.push(split(t0, t1));
        if (got !== 64) throw new Error(`bridge round trip ${i}: ${got} bytes back for 64`);
      }
      const messages = counted();
      reader.releaseLock();
      writer.releaseLock();
      await socket.close();
      return { times, starts, splits, messages };
    };

    const plainTrips = async (count) => {
      const ws = await openPlain();
      ws.onclose = (e) => console.log(`plain echo closed ${e.code} ${e.reason}`);
      const times = [];
      const starts = [];
      const splits = [];
      counted();
      for (let i = 0; i < count; i++) {
        const t0 = performance.now();
        starts.push(t0);
        mark.send = 0;
        mark.msg = 0;
        const n = await new Promise((resolve) => {
          ws.onmessage = (e) => resolve(e.data.byteLength);
          ws.send(msg);
        });
        const t1 = performance.now();
        times.push(t1 - t0);
        splits.push(split(t0, t1));
        if (n !== 64) throw new Error(`plain round trip ${i}: ${n} bytes back for 64`);
      }
      const messages = counted();
      ws.onclose = null;
      ws.close();
      return { times, starts, splits, messages };
    };

    // phase boundaries in wall-clock ms, to cut a system-wide profile (perf -k realtime) by phase
    let profiled = null;
    const phase = (name) => {
      if (a.profile && profiled) console.profileEnd(profiled);
      console.log(`PHASE ${name} ${(performance.timeOrigin + performance.now()).toFixed(1)}`);
      if (a.profile && name !== 'end') console.profile(profiled = name);
    };
    // one path's rounds as one result: bulk bytes and time summed; round trips pooled (stats over all trips)
    const sumMessages = (list) => list.reduce((x, r) => {
      for (const k of Object.keys(zero)) x[k] += r.messages[k];
      return x;
    }, { ...zero });
    const bulkOf = (list) => ({ bytes: list.reduce((x, r) => x + r.bytes, 0), ms: list.reduce((x, r) => x + r.ms, 0),
      rounds: list.map((r) => r.bytes / 1048576 / (r.ms / 1000)), messages: sumMessages(list) });
    const tripsOf = (list) => {
      const times = list.flatMap((r) => r.times);
      const starts = list.flatMap((r) => r.starts);
      const splits = list.flatMap((r) => r.splits);
      return { ...stats(times), messages: sumMessages(list), slow: slowest(times, starts, splits), parts: medianSplit(splits),
        rounds: list.map((r) => stats(r.times).p50) };
    };
    const out = { isolated: crossOriginIsolated, timerMs: timer() };
    // Warm-up: every path several times over, alternating, so that the gateway's JIT has compiled both
    // paths (they share Jetty's WebSocket code: one path's type profiles deoptimised the other's code
    // when each ran once, and the C2 compiler was still at work in the measured phases)
    const warm = a.warmMiB << 20;
    out.warm = [];
    for (let w = 0; w < a.warmRounds; w++) {
      out.warm.push(await bridgeBulk(warm), await plainBulk(warm), tripsOf([await bridgeTrips(a.warmTrips)]),
        tripsOf([await plainTrips(a.warmTrips)]));
    }
    // Measured: `rounds` rounds, the bridge first in even rounds and the plain echo first in odd ones, so
    // that neither path has the machine's or the JIT's better moments to itself
    const n = Math.ceil((a.bulkMiB << 20) / a.rounds / CHUNK) * CHUNK;
    const trips = Math.ceil(a.roundTrips / a.rounds);
    const acc = { bridgeBulk: [], plainBulk: [], bridgeTrips: [], plainTrips: [] };
    for (let round = 0; round < a.rounds; round++) {
      const order = round % 2 === 0 ? ['bridge', 'plain'] : ['plain', 'bridge'];
      for (const side of order) {
        phase(`${side}-bulk`);
        acc[`${side}Bulk`].push(await (side === 'bridge' ? bridgeBulk(n) : plainBulk(n)));
      }
      for (const side of order) {
        phase(`${side}-trips`);
        acc[`${side}Trips`].push(await (side === 'bridge' ? bridgeTrips(trips) : plainTrips(trips)));
      }
    }
    phase('end');
    out.bridgeBulk = bulkOf(acc.bridgeBulk);
    out.plainBulk = bulkOf(acc.plainBulk);
    out.bridgeTrips = tripsOf(acc.bridgeTrips);
    out.plainTrips = tripsOf(acc.plainTrips);
    bridge.close();
    return out;
  }, {
    token, tcpPort: Number(tcpPort), bulkMiB: Number(bulkMiB), roundTrips: Number(roundTrips), warmMiB: Number(warmMiB),
    warmTrips: Number(warmTrips), window: Number(window), profile: PROFILE, rounds: Number(rounds),
    warmRounds: Number(warmRounds),
  });
  await profilesDone;

  const f = (x) => x.toFixed(3);
  console.log(`MEASURE page crossOriginIsolated ${r.isolated} timer ${(r.timerMs * 1000).toFixed(1)} us`);
  for (const [name, b] of [['bridge', r.bridgeBulk], ['plain', r.plainBulk]]) {
    console.log(`MEASURE ${name} bulk ${b.bytes} bytes ${f(b.ms)} ms`);
  }
  const list = (xs, d) => xs.map((x) => x.toFixed(d)).join(' ');
  console.log(`ROUNDS bulk MiB/s bridge ${list(r.bridgeBulk.rounds, 1)}; plain ${list(r.plainBulk.rounds, 1)}`);
  console.log(`ROUNDS round trip p50 ms bridge ${list(r.bridgeTrips.rounds, 3)}; plain ${list(r.plainTrips.rounds, 3)}`);
  const m = (x) => `${x.out} out (${x.outBytes} bytes), ${x.in} in (${x.inBytes} bytes)`;
  const js = (x) => `onmessage ${x.onmessageMs.toFixed(0)} ms, send() ${x.sendMs.toFixed(0)} ms`;
  console.log(`Page main thread in handlers: bridge bulk ${js(r.bridgeBulk.messages)}; plain bulk ${js(r.plainBulk.messages)};`
    + ` bridge round trips ${js(r.bridgeTrips.messages)}; plain round trips ${js(r.plainTrips.messages)}`);
  console.log(`WebSocket messages: bridge bulk ${m(r.bridgeBulk.messages)}; plain bulk ${m(r.plainBulk.messages)};`
    + ` bridge round trips ${m(r.bridgeTrips.messages)}; plain round trips ${m(r.plainTrips.messages)}`);
  for (const [name, t] of [['bridge', r.bridgeTrips], ['plain', r.plainTrips]]) {
    console.log(`MEASURE ${name} rtt n ${t.n} p50 ${f(t.p50)} p99 ${f(t.p99)} mean ${f(t.mean)} max ${f(t.max)} ms`);
  }
  for (const [name, t] of [['bridge', r.bridgeTrips], ['plain', r.plainTrips]]) {
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
}, { args: ['--disable-features=LocalNetworkAccessChecks'] }).catch((e) => {
  console.error(e && e.stack || e);
  process.exit(1);
});
