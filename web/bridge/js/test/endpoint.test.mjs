// Named endpoints through the bridge: the page names an endpoint the operator configured and omits
// the address (started by JsLibraryNodeTest: endpoints tcp-echo, udp-echo and not-granted, the last
// on a loopback listener the page's origin has no grant for). Run through JsLibraryNodeTest.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { DirectSocketsBridge, TCPSocket, UDPSocket } from '../src/direct-sockets.js';

const env = (k) => {
  const v = process.env[k];
  if (!v) throw new Error(`${k} is not set: run the tests through JsLibraryNodeTest (mvn -pl web/bridge verify)`);
  return v;
};
const URL = env('BRIDGE_URL');
const ORIGIN = env('BRIDGE_ORIGIN');
const TOKEN = env('BRIDGE_TOKEN');
const TCP_ECHO = Number(env('TCP_ECHO_PORT'));
const REFUSED_PORT = Number(env('REFUSED_PORT'));

const bridge = () => new DirectSocketsBridge(URL, { token: TOKEN, webSocketOptions: { headers: { Origin: ORIGIN } } });

test('TCPSocket(undefined, undefined, { endpoint }) echoes 1 MiB through the endpoint the operator configured', async () => {
  const b = bridge();
  const socket = new TCPSocket(undefined, undefined, { bridge: b, endpoint: 'tcp-echo' });
  const { readable, writable, remoteAddress, remotePort } = await socket.opened;
  assert.equal(remoteAddress, '127.0.0.1'); // the operator's address, told to the page once open
  assert.equal(remotePort, TCP_ECHO);
  const payload = randomBytes(1 << 20);
  const writer = writable.getWriter();
  const writing = (async () => {
    for (let off = 0; off < payload.length; off += 50000) {
      await writer.write(payload.subarray(off, Math.min(payload.length, off + 50000)));
    }
    await writer.close();
  })();
  const reader = readable.getReader({ mode: 'byob' });
  const hash = createHash('sha256');
  let total = 0;
  let buffer = new ArrayBuffer(65536);
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

test('null address and port work as omitted ones; a UDPSocket opens an endpoint too', async () => {
  const b = bridge();
  const tcp = new TCPSocket(null, null, { bridge: b, endpoint: 'tcp-echo' });
  assert.equal((await tcp.opened).remotePort, TCP_ECHO);
  await tcp.close();
  const udp = new UDPSocket({ bridge: b, endpoint: 'udp-echo' });
  const { readable, writable } = await udp.opened;
  const writer = writable.getWriter();
  const reader = readable.getReader();
  await writer.write({ data: new TextEncoder().encode('hello endpoint') });
  const { value } = await reader.read();
  assert.equal(new TextDecoder().decode(value.data), 'hello endpoint');
  reader.releaseLock();
  writer.releaseLock();
  await udp.close();
  b.close();
});

test('an endpoint the gateway does not have rejects opened with NotFoundError naming it', async () => {
  const b = bridge();
  const socket = new TCPSocket(undefined, undefined, { bridge: b, endpoint: 'plc9' });
  await assert.rejects(socket.opened, (e) => {
    assert.ok(e instanceof DOMException);
    assert.equal(e.name, 'NotFoundError');
    assert.match(e.message, /no endpoint named 'plc9' is configured/);
    assert.ok(!e.message.includes('tcp-echo'), `the page is not told the other endpoints: ${e.message}`);
    return true;
  });
  await assert.rejects(socket.closed, { name: 'NotFoundError' });
  b.close();
});

test("an endpoint whose destination the page's origin is not granted rejects opened with NotAllowedError", async () => {
  const b = bridge();
  const socket = new TCPSocket(undefined, undefined, { bridge: b, endpoint: 'not-granted' });
  await assert.rejects(socket.opened, (e) => {
    assert.ok(e instanceof DOMException);
    assert.equal(e.name, 'NotAllowedError');
    assert.ok(e.message.includes(`origin:${ORIGIN} tcp 127.0.0.1 ${REFUSED_PORT}`), e.message);
    return true;
  });
  b.close();
});

test('endpoint options that contradict themselves throw TypeError at once', () => {
  const b = bridge();
  assert.throws(() => new TCPSocket('127.0.0.1', TCP_ECHO, { bridge: b, endpoint: 'tcp-echo' }), TypeError);
  assert.throws(() => new TCPSocket(undefined, undefined, { bridge: b, endpoint: '' }), TypeError);
  assert.throws(() => new TCPSocket(undefined, undefined, { bridge: b, endpoint: 'two words' }), TypeError);
  assert.throws(() => new TCPSocket(undefined, undefined, { bridge: b }), /options\.endpoint/); // neither address nor endpoint
  assert.throws(() => new UDPSocket({ bridge: b, endpoint: 'udp-echo', localAddress: '127.0.0.1' }), TypeError);
  b.close();
});
