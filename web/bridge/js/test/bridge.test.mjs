// The JavaScript library against the running bridge (started by JsLibraryNodeTest with a loopback
// TCP echo, a UDP echo and the real policy). Run: node --experimental-websocket --test test/
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import net from 'node:net';
import { DirectSocketsBridge, TCPSocket, UDPSocket, TCPServerSocket } from '../src/direct-sockets.js';

const env = (k) => {
  const v = process.env[k];
  if (!v) throw new Error(`${k} is not set: run the tests through JsLibraryNodeTest (mvn -pl web/bridge verify)`);
  return v;
};
const URL = env('BRIDGE_URL');
const ORIGIN = env('BRIDGE_ORIGIN');
const TOKEN = env('BRIDGE_TOKEN');
const TCP_ECHO = Number(env('TCP_ECHO_PORT'));
const UDP_ECHO = Number(env('UDP_ECHO_PORT'));
const REFUSED_PORT = Number(env('REFUSED_PORT'));

const bridge = (origin = ORIGIN, token = TOKEN) =>
  new DirectSocketsBridge(URL, { token, webSocketOptions: { headers: { Origin: origin } } });

test('TCP echo: 8 MiB written and read back with a BYOB reader, same SHA-256', async () => {
  const b = bridge();
  const socket = new TCPSocket('127.0.0.1', TCP_ECHO, { bridge: b, noDelay: true });
  const { readable, writable, remoteAddress, remotePort, localPort } = await socket.opened;
  assert.equal(remoteAddress, '127.0.0.1');
  assert.equal(remotePort, TCP_ECHO);
  assert.ok(localPort > 0);
  const payload = randomBytes(8 << 20);
  const writer = writable.getWriter();
  const writing = (async () => {
    for (let off = 0; off < payload.length; off += 100000) {
      await writer.write(payload.subarray(off, Math.min(payload.length, off + 100000)));
    }
    await writer.close(); // half-close: the echo answers with its own FIN
  })();
  const reader = readable.getReader({ mode: 'byob' });
  const hash = createHash('sha256');
  let buffer = new ArrayBuffer(65536);
  let total = 0;
  for (;;) {
    const { value, done } = await reader.read(new Uint8Array(buffer));
    if (done) break;
    hash.update(value);
    total += value.byteLength;
    buffer = value.buffer;
  }
  await writing;
  assert.equal(total, payload.length);
  assert.equal(hash.digest('hex'), createHash('sha256').update(payload).digest('hex'));
  reader.releaseLock();
  writer.releaseLock();
  await socket.closed;
  b.close();
});

test('a destination the policy refuses rejects opened with NotAllowedError naming the grant', async () => {
  const b = bridge();
  const socket = new TCPSocket('127.0.0.1', REFUSED_PORT, { bridge: b });
  await assert.rejects(socket.opened, (e) => {
    assert.equal(e.name, 'NotAllowedError');
    assert.ok(e.message.includes(`origin:${ORIGIN} tcp 127.0.0.1 ${REFUSED_PORT}`), e.message);
    return true;
  });
  await assert.rejects(socket.closed, { name: 'NotAllowedError' });
  b.close();
});

test('invalid options throw TypeError at once', () => {
  const b = bridge();
  assert.throws(() => new TCPSocket('127.0.0.1', 70000, { bridge: b }), TypeError);
  assert.throws(() => new TCPSocket('127.0.0.1', 7, { bridge: b, noDelay: 'yes' }), TypeError);
  assert.throws(() => new TCPSocket('127.0.0.1', 7, { bridge: b, tls: 'maybe' }), TypeError);
  assert.throws(() => new TCPSocket(null, null, { bridge: b, endpoint: 'bad name!' }), TypeError);
  assert.throws(() => new UDPSocket({ bridge: b, remoteAddress: '127.0.0.1', remotePort: 7, localAddress: '127.0.0.1' }), TypeError);
  // a connected socket's local port is the system's: a localPort without localAddress is refused, not ignored
  assert.throws(() => new UDPSocket({ bridge: b, remoteAddress: '127.0.0.1', remotePort: 7, localPort: 5000 }),
    { name: 'TypeError', message: /localPort needs localAddress/ });
  assert.throws(() => new TCPSocket('127.0.0.1', 7), TypeError); // no bridge configured
  b.close();
});

test('close() while a stream is locked rejects with InvalidStateError; unlocked it closes', async () => {
  const b = bridge();
  const socket = new TCPSocket('127.0.0.1', TCP_ECHO, { bridge: b });
  const { readable } = await socket.opened;
  const reader = readable.getReader();
  await assert.rejects(socket.close(), { name: 'InvalidStateError' });
  reader.releaseLock();
  await socket.close();
  b.close();
});

test('UDP connected echo', async () => {
  const b = bridge();
  const socket = new UDPSocket({ bridge: b, remoteAddress: '127.0.0.1', remotePort: UDP_ECHO });
  const { readable, writable } = await socket.opened;
  const writer = writable.getWriter();
  const reader = readable.getReader();
  await writer.write({ data: new TextEncoder().encode('hello datagram') });
  const { value } = await reader.read();
  assert.equal(new TextDecoder().decode(value.data), 'hello datagram');
  reader.releaseLock();
  writer.releaseLock();
  await socket.close();
  b.close();
});

test('TCPServerSocket accepts a connection and talks to it', async () => {
  const b = bridge();
  const server = new TCPServerSocket('127.0.0.1', { bridge: b });
  const { readable, localPort } = await server.opened;
  assert.ok(localPort > 0);
  const client = net.connect(localPort, '127.0.0.1');
  await new Promise((resolve, reject) => client.once('connect', resolve).once('error', reject));
  const accepted = (await readable.getReader().read()).value;
  const { readable: r, writable: w } = await accepted.opened;
  client.write('ping');
  const got = await r.getReader().read();
  assert.equal(new TextDecoder().decode(got.value), 'ping');
  const writer = w.getWriter();
  await writer.write(new TextEncoder().encode('pong'));
  const reply = await new Promise((resolve) => client.once('data', resolve));
  assert.equal(reply.toString(), 'pong');
  client.destroy();
  b.close();
});

test('a foreign origin is refused at the handshake (no socket can open)', async () => {
  const b = bridge('https://evil.example.net');
  await assert.rejects(b.ready, { name: 'NetworkError' });
  assert.throws(() => new TCPSocket('127.0.0.1', TCP_ECHO, { bridge: b }), { name: 'InvalidStateError' });
});

test('an unknown token closes the bridge with NotAllowedError', async () => {
  const b = bridge(ORIGIN, 'A'.repeat(43));
  const socket = new TCPSocket('127.0.0.1', TCP_ECHO, { bridge: b });
  await assert.rejects(socket.opened, (e) => {
    assert.equal(e.name, 'NotAllowedError');
    assert.match(e.message, /token is not known/);
    return true;
  });
});
