// Issue 19 benchmark, the page's part (BridgeBenchIT, driven by bridge-bench.js): served by the test
// bundle WebSocketEcho at /test-ws/bench/ with COOP/COEP (cross-origin isolated: performance.now() to a few
// µs), imported by page.html. run(a) measures the four paths and returns the figures; console.log lines
// "PHASE name epoch-ms" mark the measured phases (to cut a system-wide profile), console.profile()
// brackets each when a.profile is set.
export async function run(a) {
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
  // the extensions each WebSocket negotiated (permessage-deflate would compress every message)
  const extensions = new Map();
  window.WebSocket = class extends Native {
    constructor(...args) {
      super(...args);
      this.addEventListener('open', () => extensions.set(new URL(this.url).pathname, this.extensions || 'none'));
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
  const { Decoder, T, HEADER, creditFrame, textFrame } = await import('/direct-sockets/lib/frames.js');
  const { SUBPROTOCOL } = await import('/direct-sockets/lib/bridge.js');
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

  // the plain WebSocket echo, or the thinnest relay to the TCP echo (the test bundle's, see bridge-bench.js)
  const PLAIN = '/test-ws/echo';
  const RELAY = `/test-ws/relay?port=${a.tcpPort}`;
  const openWs = (where) => new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://${location.host}${where}`);
    ws.binaryType = 'arraybuffer';
    ws.onopen = () => resolve(ws);
    ws.onerror = () => reject(new Error(`the WebSocket at ${where} did not open`));
  });

  // A bulk measurement of a path without the library: n bytes sent in CHUNK pieces by put() while
  // mayPut(sent, got) holds (pump() sends what it allows), the echoed bytes handed to received() copied
  // into one buffer; done resolves with the time once all n are back; check() compares them
  const measureBulk = (n, name, put, mayPut) => {
    const buf = new Uint8Array(n);
    let sent = 0;
    let got = 0;
    let settle;
    const done = new Promise((resolve, reject) => {
      settle = { resolve, reject };
    });
    counted();
    const t0 = performance.now();
    const pump = () => {
      while (sent < n && mayPut(sent, got)) {
        put(piece(sent));
        sent += CHUNK;
      }
    };
    const received = (b) => {
      if (got + b.byteLength > n) return settle.reject(new Error(`${name} bulk: more than ${n} bytes echoed`));
      buf.set(b, got);
      got += b.byteLength;
      if (got === n) settle.resolve({ bytes: n, ms: performance.now() - t0, messages: counted() });
      else pump();
    };
    const closed = (e) => settle.reject(new Error(`${name} bulk: closed ${e.code} ${e.reason} after ${got} of ${n} bytes`));
    const check = () => {
      const bad = mismatch(buf.buffer, n);
      if (bad >= 0) throw new Error(`${name} bulk: echoed bytes differ at ${bad}`);
    };
    return { done, pump, received, closed, check };
  };

  // bulk over a WebSocket without the library: at most a.window bytes in flight, the answer counted in
  // bytes (the relay answers in the TCP echo's pieces, the plain echo in the page's messages)
  const wsBulk = async (n, where) => {
    const ws = await openWs(where);
    const m = measureBulk(n, where, (p) => ws.send(p), (sent, got) => sent - got < a.window);
    ws.onmessage = (e) => m.received(new Uint8Array(e.data));
    ws.onclose = m.closed;
    m.pump();
    const result = await m.done;
    ws.onclose = null;
    ws.close();
    m.check();
    return result;
  };

  const msg = pattern.subarray(0, 64);
  // `count` sequential trips, each timed and split (page until send(), send() to the answer, after it)
  const timeTrips = async (count, trip) => {
    const times = [];
    const starts = [];
    const splits = [];
    counted();
    for (let i = 0; i < count; i++) {
      const t0 = performance.now();
      starts.push(t0);
      mark.send = 0;
      mark.msg = 0;
      const got = await trip();
      const t1 = performance.now();
      times.push(t1 - t0);
      splits.push(split(t0, t1));
      if (got !== 64) throw new Error(`round trip ${i}: ${got} bytes back for 64`);
    }
    return { times, starts, splits, messages: counted() };
  };

  const bridgeTrips = async (count) => {
    const socket = new TCPSocket('127.0.0.1', a.tcpPort, { noDelay: true });
    const { readable, writable } = await socket.opened;
    const writer = writable.getWriter();
    const reader = readable.getReader();
    const result = await timeTrips(count, async () => {
      const w = writer.write(msg);
      let got = 0;
      while (got < 64) {
        const { value, done } = await reader.read();
        if (done) throw new Error('bridge round trip: the echo ended the stream');
        got += value.byteLength;
      }
      await w;
      return got;
    });
    reader.releaseLock();
    writer.releaseLock();
    await socket.close();
    return result;
  };

  const wsTrips = async (count, where) => {
    const ws = await openWs(where);
    ws.onclose = (e) => console.log(`${where} closed ${e.code} ${e.reason}`);
    const result = await timeTrips(count, () => new Promise((resolve) => {
      let got = 0;
      ws.onmessage = (e) => {
        got += e.data.byteLength;
        if (got >= 64) resolve(got);
      };
      ws.send(msg);
    }));
    ws.onclose = null;
    ws.close();
    return result;
  };

  // The bridge's protocol spoken by the page itself, without the library (no TCPSocket, no streams): one
  // WebSocket per call, one socket on it, the frames built and decoded here (the library's frames.js
  // helpers), credit granted a quarter of `READ_CREDIT` at a time as the library does. What the gateway
  // and the protocol cost, apart from what the WICG API's classes and streams cost in the page.
  const READ_CREDIT = 1 << 20;
  const framesOpen = async () => {
    const ws = new WebSocket(`ws://${location.host}/direct-sockets`, [SUBPROTOCOL, `bearer.${a.token}`]);
    ws.binaryType = 'arraybuffer';
    const decoder = new Decoder();
    const s = { ws, sendCredit: 0, onData: null, onCredit: null };
    const opened = new Promise((resolve, reject) => {
      ws.onmessage = (e) => {
        decoder.feed(new Uint8Array(e.data), (type, id, payload) => {
          if (type === T.DATA) s.onData(payload);
          else if (type === T.CREDIT) {
            s.sendCredit += new DataView(payload.buffer, payload.byteOffset, 4).getUint32(0);
            if (s.onCredit) s.onCredit();
          } else if (type === T.OPENED) resolve(s);
          else if (type === T.ERROR || type === T.CLOSE || type === T.END) {
            reject(new Error(`frames path: socket ended (frame type ${type})`));
          }
        });
      };
      ws.onclose = (e) => reject(new Error(`frames path: the bridge closed ${e.code} ${e.reason}`));
      ws.onopen = () => {
        ws.send(textFrame(T.OPEN_TCP, 1, `remoteAddress=127.0.0.1\nremotePort=${a.tcpPort}\nnoDelay=true\n`));
        ws.send(creditFrame(1, READ_CREDIT));
      };
    });
    return opened;
  };
  const framesClose = (s) => {
    s.ws.onclose = null;
    s.ws.close();
  };
  // one DATA frame of `payload`, built in one reused buffer (send() copies it)
  const scratch = new Uint8Array(HEADER + CHUNK);
  const scratchView = new DataView(scratch.buffer);
  const sendData = (s, payload) => {
    scratchView.setUint8(0, T.DATA);
    scratchView.setUint32(1, 1);
    scratchView.setUint32(5, payload.byteLength);
    scratch.set(payload, HEADER);
    s.sendCredit -= payload.byteLength;
    s.ws.send(scratch.subarray(0, HEADER + payload.byteLength));
  };
  // read credit back to the gateway a quarter of READ_CREDIT at a time
  const granter = (s) => {
    let used = 0;
    return (n) => {
      used += n;
      if (used >= READ_CREDIT / 4) {
        s.ws.send(creditFrame(1, used));
        used = 0;
      }
    };
  };

  const framesBulk = async (n) => {
    const s = await framesOpen();
    const grant = granter(s);
    const m = measureBulk(n, 'frames', (p) => sendData(s, p), () => s.sendCredit >= CHUNK);
    s.onCredit = m.pump;
    s.onData = (b) => {
      grant(b.byteLength);
      m.received(b);
    };
    s.ws.onclose = m.closed;
    m.pump();
    const result = await m.done;
    framesClose(s);
    m.check();
    return result;
  };

  const framesTrips = async (count) => {
    const s = await framesOpen();
    const grant = granter(s);
    s.ws.onclose = (e) => console.log(`frames path closed ${e.code} ${e.reason}`);
    const result = await timeTrips(count, () => new Promise((resolve) => {
      let got = 0;
      s.onData = (b) => {
        got += b.byteLength;
        grant(b.byteLength);
        if (got >= 64) resolve(got);
      };
      sendData(s, msg);
    }));
    framesClose(s);
    return result;
  };

  const SIDES = ['bridge', 'plain', 'relay', 'frames'];
  const bulkOn = (side, n) => (side === 'bridge' ? bridgeBulk(n) : side === 'frames' ? framesBulk(n)
    : wsBulk(n, side === 'plain' ? PLAIN : RELAY));
  const tripsOn = (side, count) => (side === 'bridge' ? bridgeTrips(count) : side === 'frames' ? framesTrips(count)
    : wsTrips(count, side === 'plain' ? PLAIN : RELAY));

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
  // Warm-up: every path several times over, alternating, so that the gateway's JIT has compiled every
  // path (they share Jetty's WebSocket code: one path's type profiles deoptimised another's code
  // when each ran once, and the C2 compiler was still at work in the measured phases)
  const warm = a.warmMiB << 20;
  out.warm = [];
  for (let w = 0; w < a.warmRounds; w++) {
    for (const side of SIDES) out.warm.push(await bulkOn(side, warm));
    for (const side of SIDES) out.warm.push(tripsOf([await tripsOn(side, a.warmTrips)]));
  }
  // Measured: `rounds` rounds, the paths' order rotated every round (bridge, plain, relay, frames; then
  // plain, relay, frames, bridge; ...), so that no path has the machine's or the JIT's better moments to itself
  const n = Math.ceil((a.bulkMiB << 20) / a.rounds / CHUNK) * CHUNK;
  const trips = Math.ceil(a.roundTrips / a.rounds);
  const acc = Object.fromEntries(SIDES.flatMap((side) => [[`${side}Bulk`, []], [`${side}Trips`, []]]));
  for (let round = 0; round < a.rounds; round++) {
    const order = SIDES.map((_, k) => SIDES[(k + round) % SIDES.length]);
    for (const side of order) {
      phase(`${side}-bulk`);
      acc[`${side}Bulk`].push(await bulkOn(side, n));
    }
    for (const side of order) {
      phase(`${side}-trips`);
      acc[`${side}Trips`].push(await tripsOn(side, trips));
    }
  }
  phase('end');
  out.extensions = Object.fromEntries(extensions);
  for (const side of SIDES) {
    out[`${side}Bulk`] = bulkOf(acc[`${side}Bulk`]);
    out[`${side}Trips`] = tripsOf(acc[`${side}Trips`]);
  }
  bridge.close();
  return out;
}
