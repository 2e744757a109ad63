// The library's framing against a scripted WebSocket (no gateway): how writes become DATA frames, how
// credit goes back, how the decoder takes joined and split frames. Run through JsLibraryNodeTest, or
// alone: node --test test/framing.test.mjs
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DirectSocketsBridge, TCPSocket } from '../src/direct-sockets.js';
import { Decoder, T, HEADER, MAX_DATA, frame, creditFrame } from '../src/frames.js';

/** A WebSocket that records what the page sends and lets the test play the gateway. */
class ScriptedSocket {
  static last = null;
  readyState = 0;
  sent = [];
  constructor() {
    ScriptedSocket.last = this;
    queueMicrotask(() => {
      this.readyState = 1;
      this.onopen?.();
    });
  }
  buffers = [];
  send(bytes) {
    this.sent.push(new Uint8Array(bytes)); // a copy: what went on the wire at that moment
    this.buffers.push(bytes.buffer); // which memory the library handed over
  }
  close() {}
  /** The gateway sends one message holding these frames. */
  deliver(...frames) {
    const all = new Uint8Array(frames.reduce((n, f) => n + f.byteLength, 0));
    let off = 0;
    for (const f of frames) {
      all.set(f, off);
      off += f.byteLength;
    }
    this.onmessage({ data: all.buffer });
  }
  frames() {
    const out = [];
    const d = new Decoder();
    for (const m of this.sent) d.feed(m, (type, id, payload) => out.push({ type, id, length: payload.byteLength, payload: payload.slice() }));
    return out;
  }
}

async function openSocket() {
  const bridge = new DirectSocketsBridge('ws://gateway.invalid/direct-sockets', { WebSocket: ScriptedSocket });
  const ws = ScriptedSocket.last;
  await bridge.ready;
  const socket = new TCPSocket('127.0.0.1', 7, { bridge });
  await new Promise((r) => setTimeout(r, 0));
  ws.deliver(frame(T.OPENED, 1, new TextEncoder().encode('remoteAddress=127.0.0.1\nremotePort=7\n')));
  const opened = await socket.opened;
  return { ws, socket, opened };
}

test('a 64 KiB write is one DATA frame in one message; a write larger than the credit waits, sending what the credit allows', async () => {
  const { ws, opened } = await openSocket();
  ws.deliver(creditFrame(1, 256 * 1024));
  const writer = opened.writable.getWriter();
  ws.sent.length = 0;
  const piece = new Uint8Array(65536).map((_, i) => i * 7);
  await writer.write(piece);
  assert.equal(ws.sent.length, 1, 'one message for a 64 KiB write');
  assert.deepEqual(ws.frames().map((f) => [f.type, f.length]), [[T.DATA, MAX_DATA]]);
  assert.equal(ws.sent[0].byteLength, HEADER + MAX_DATA);

  // 192 KiB of credit left; a 256 KiB write sends 3 full frames, then waits
  ws.sent.length = 0;
  const big = new Uint8Array(256 * 1024).map((_, i) => i * 13);
  const pending = writer.write(big);
  await new Promise((r) => setTimeout(r, 10));
  assert.deepEqual(ws.frames().map((f) => f.length), [MAX_DATA, MAX_DATA, MAX_DATA]);
  big.fill(0); // the caller's buffer after the write started: what still waits for credit was copied
  ws.deliver(creditFrame(1, 65536));
  await pending;
  const frames = ws.frames();
  assert.deepEqual(frames.map((f) => f.length), [MAX_DATA, MAX_DATA, MAX_DATA, MAX_DATA]);
  const last = frames[3].payload;
  for (let i = 0; i < last.length; i += 4099) assert.equal(last[i], ((3 * MAX_DATA + i) * 13) & 0xff, `byte ${3 * MAX_DATA + i}`);
});

test('DATA frames are built in one reused buffer: no allocation per write, each message with its own bytes', async () => {
  const { ws, opened } = await openSocket();
  ws.deliver(creditFrame(1, 256 * 1024));
  const writer = opened.writable.getWriter();
  ws.sent.length = 0;
  ws.buffers.length = 0;
  const a = new Uint8Array(65536).fill(1);
  const b = new Uint8Array(1000).fill(2);
  await writer.write(a);
  await writer.write(b);
  await writer.write(a.subarray(0, 70));
  assert.equal(new Set(ws.buffers).size, 1, 'one buffer for all three DATA frames');
  const frames = ws.frames();
  assert.deepEqual(frames.map((f) => [f.type, f.length]), [[T.DATA, 65536], [T.DATA, 1000], [T.DATA, 70]]);
  assert.ok(frames[0].payload.every((x) => x === 1) && frames[1].payload.every((x) => x === 2)
    && frames[2].payload.every((x) => x === 1));
});

test('writes that wait for credit one after the other each send their own bytes (the held copy is reused)', async () => {
  const { ws, opened } = await openSocket();
  const writer = opened.writable.getWriter();
  ws.sent.length = 0;
  const first = new Uint8Array(3000).fill(7);
  const second = new Uint8Array(5000).fill(8);
  const w1 = writer.write(first);
  const w2 = writer.write(second);
  await new Promise((r) => setTimeout(r, 10));
  assert.equal(ws.frames().length, 0, 'no credit yet: nothing sent');
  first.fill(0); // the caller's buffer after its write started
  ws.deliver(creditFrame(1, 1000)); // the first write goes out in pieces as credit comes
  await new Promise((r) => setTimeout(r, 10));
  ws.deliver(creditFrame(1, 2000));
  await w1;
  await new Promise((r) => setTimeout(r, 10)); // the second write has started and waits for credit
  second.fill(0);
  ws.deliver(creditFrame(1, 5000));
  await w2;
  const frames = ws.frames();
  assert.deepEqual(frames.map((f) => f.length), [1000, 2000, 5000]);
  assert.ok(frames[0].payload.every((x) => x === 7) && frames[1].payload.every((x) => x === 7), 'the first write held');
  assert.ok(frames[2].payload.every((x) => x === 8), 'the second write held, not the first one\'s bytes');
});

test('a pending BYOB read is filled from the frame directly; what does not fit waits for the next read', async () => {
  const { ws, opened } = await openSocket();
  const reader = opened.readable.getReader({ mode: 'byob' });
  let view = new Uint8Array(10);
  const pending = reader.read(view);
  ws.deliver(frame(T.DATA, 1, Uint8Array.from({ length: 25 }, (_, i) => i)));
  const got = [];
  let r = await pending;
  got.push(...r.value);
  assert.equal(r.value.byteLength, 10);
  view = new Uint8Array(r.value.buffer);
  while (got.length < 25) {
    r = await reader.read(view);
    got.push(...r.value);
    view = new Uint8Array(r.value.buffer);
  }
  assert.deepEqual(got, Array.from({ length: 25 }, (_, i) => i));
  // and a frame that arrives with no read pending is queued for the next one
  ws.deliver(frame(T.DATA, 1, Uint8Array.from([40, 41, 42])));
  r = await reader.read(new Uint8Array(view.buffer));
  assert.deepEqual([...r.value], [40, 41, 42]);
});

test('CREDIT frames go in the same message as the next frame the page sends, or alone right after the task', async () => {
  const { ws, opened } = await openSocket();
  ws.deliver(creditFrame(1, 256 * 1024));
  const reader = opened.readable.getReader();
  const writer = opened.writable.getWriter();
  await new Promise((r) => setTimeout(r, 5));
  ws.sent.length = 0;
  // the application reads 320 KiB: the library owes the gateway credit...
  for (let i = 0; i < 5; i++) {
    ws.deliver(frame(T.DATA, 1, new Uint8Array(65536)));
    await reader.read();
  }
  assert.equal(ws.sent.length, 0, 'credit waits for the next message (or the end of the task)');
  // ... and it goes in the message of the next write, before the DATA frame
  await writer.write(new Uint8Array(100).fill(5));
  assert.equal(ws.sent.length, 1, 'one message');
  const frames = ws.frames();
  assert.deepEqual(frames.map((f) => f.type), [T.CREDIT, T.DATA]);
  assert.ok(new DataView(frames[0].payload.buffer).getUint32(0) >= 256 * 1024);
  assert.ok(frames[1].payload.every((x) => x === 5));
  // with nothing to send, the credit leaves on its own right after the task
  ws.sent.length = 0;
  for (let i = 0; i < 5; i++) {
    ws.deliver(frame(T.DATA, 1, new Uint8Array(65536)));
    await reader.read();
  }
  await new Promise((r) => setTimeout(r, 5));
  assert.deepEqual(ws.frames().map((f) => f.type), [T.CREDIT]);
  // and a control frame (END) carries held credit in front of it: the order of frames is kept
  ws.sent.length = 0;
  for (let i = 0; i < 5; i++) {
    ws.deliver(frame(T.DATA, 1, new Uint8Array(65536)));
    await reader.read();
  }
  writer.releaseLock();
  await opened.writable.close();
  assert.deepEqual(ws.frames().map((f) => f.type), [T.CREDIT, T.END]);
  assert.equal(ws.sent.length, 1);
});

test('credit goes back to the gateway in batches of at least a quarter of the 1 MiB read window', async () => {
  const { ws, opened } = await openSocket();
  const grants = () => ws.frames().filter((f) => f.type === T.CREDIT).map((f) => new DataView(f.payload.buffer).getUint32(0));
  assert.deepEqual(grants(), [1 << 20], 'the whole window at the open');
  const reader = opened.readable.getReader();
  ws.sent.length = 0;
  let read = 0;
  for (let i = 0; i < 20; i++) { // 20 x 64 KiB read by the application, one frame at a time
    ws.deliver(frame(T.DATA, 1, new Uint8Array(65536)));
    read += (await reader.read()).value.byteLength;
  }
  assert.equal(read, 20 * 65536);
  await new Promise((r) => setTimeout(r, 5)); // credit goes with the next message or after the task
  const g = grants();
  assert.ok(g.length >= 4 && g.length <= 5, `grants ${g}`);
  for (const amount of g) assert.ok(amount >= 256 * 1024, `a grant of ${amount} bytes`);
});

test('the decoder takes frames joined in one message and split over messages; the last frame of a message is not copied', () => {
  const payloads = [new Uint8Array([1, 2, 3]), new Uint8Array(70000 % MAX_DATA).fill(9), new Uint8Array(0), new Uint8Array([4, 5])];
  const stream = new Uint8Array(payloads.reduce((n, p) => n + HEADER + p.byteLength, 0));
  let off = 0;
  for (const [i, p] of payloads.entries()) {
    stream.set(frame(T.DATA, i + 1, p), off);
    off += HEADER + p.byteLength;
  }
  for (const cuts of [[stream.byteLength], [1, 5, 9, 12, 13, 100, stream.byteLength - 3, stream.byteLength]]) {
    const d = new Decoder();
    const got = [];
    let from = 0;
    for (const to of cuts) {
      const message = stream.slice(from, to); // a message of its own, as a WebSocket delivers it
      d.feed(message, (type, id, payload) => got.push({ id, payload: payload.slice(), view: payload.buffer === message.buffer }));
      from = to;
    }
    assert.deepEqual(got.map((g) => [g.id, [...g.payload]]), payloads.map((p, i) => [i + 1, [...p]]), `cuts ${cuts}`);
    if (cuts.length === 1) assert.deepEqual(got.map((g) => g.view), [false, false, false, true]);
  }
  assert.throws(() => new Decoder().feed(frame(T.DATA, 1, new Uint8Array(MAX_DATA + 1)), () => {}), /frame of 65537 bytes/);
});
