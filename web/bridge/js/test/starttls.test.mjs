// STARTTLS through the bridge (started by JsLibraryNodeTest): a JDK STARTTLS server on loopback that
// greets "220 peer ready", answers "STARTTLS" with "220 go ahead" and echoes over TLS; the named
// endpoint 'mail' trusts its CA (the operator's trust), the same server by address does not (the
// JDK trust store). Run through JsLibraryNodeTest.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DirectSocketsBridge, TCPSocket } from '../src/direct-sockets.js';

const env = (k) => {
  const v = process.env[k];
  if (!v) throw new Error(`${k} is not set: run the tests through JsLibraryNodeTest (mvn -pl web/bridge verify)`);
  return v;
};
const URL = env('BRIDGE_URL');
const ORIGIN = env('BRIDGE_ORIGIN');
const TOKEN = env('BRIDGE_TOKEN');
const STARTTLS_PORT = Number(env('STARTTLS_PORT'));

const bridge = () => new DirectSocketsBridge(URL, { token: TOKEN, webSocketOptions: { headers: { Origin: ORIGIN } } });
const ascii = new TextEncoder();
const text = new TextDecoder();

/** Reads from reader until `expected` arrived (a deadline guards the whole test run). */
async function expectText(reader, expected) {
  let got = '';
  while (got.length < expected.length) {
    const { value, done } = await reader.read();
    assert.ok(!done, `the stream ended after '${got}', waiting for '${expected.trim()}'`);
    got += text.decode(value);
  }
  assert.equal(got, expected);
}

/** The plain part: greeting, STARTTLS, go-ahead; the reader and writer released afterwards. */
async function plainPart(socket) {
  const { readable, writable, tlsProtocol } = await socket.opened;
  assert.equal(tlsProtocol, undefined, 'a starttls socket opens plain');
  const reader = readable.getReader();
  const writer = writable.getWriter();
  await expectText(reader, '220 peer ready\r\n');
  await writer.write(ascii.encode('STARTTLS\r\n'));
  await expectText(reader, '220 go ahead\r\n');
  reader.releaseLock();
  writer.releaseLock();
  return { readable, writable };
}

test('startTls() upgrades a { tls: "starttls" } endpoint socket and the page talks over TLS', async () => {
  const b = bridge();
  const socket = new TCPSocket(undefined, undefined, { bridge: b, endpoint: 'mail', tls: 'starttls' });
  const plain = await plainPart(socket);
  const { readable, writable, tlsProtocol, tlsCipherSuite, remotePort } = await socket.startTls();
  assert.equal(tlsProtocol, 'TLSv1.3');
  assert.match(tlsCipherSuite, /^TLS_/);
  assert.equal(remotePort, STARTTLS_PORT);
  assert.notEqual(readable, plain.readable);
  await assert.rejects(plain.writable.getWriter().write(ascii.encode('x')), { name: 'InvalidStateError' });
  const writer = writable.getWriter();
  const reader = readable.getReader();
  await writer.write(ascii.encode('EHLO over tls\r\n'));
  await expectText(reader, 'EHLO over tls\r\n'); // the server echoes only inside TLS
  reader.releaseLock();
  writer.releaseLock();
  await socket.close();
  b.close();
});

test('startTls() with an untrusted certificate rejects with NetworkError TLS_CERTIFICATE and closes', async () => {
  const b = bridge();
  const socket = new TCPSocket('127.0.0.1', STARTTLS_PORT, { bridge: b, tls: 'starttls' });
  await plainPart(socket);
  const err = await socket.startTls({ serverName: 'localhost' }).then(() => null, (e) => e);
  assert.ok(err, 'the JDK trust store does not know the test CA: startTls() must reject');
  assert.equal(err.name, 'NetworkError');
  assert.equal(err.reason, 'TLS_CERTIFICATE');
  await assert.rejects(socket.closed, { name: 'NetworkError' });
  b.close();
});

test('startTls() is refused while locked, on a plain socket, and with a bad serverName', async () => {
  const b = bridge();
  const socket = new TCPSocket(undefined, undefined, { bridge: b, endpoint: 'mail', tls: 'starttls' });
  const { readable } = await socket.opened;
  const reader = readable.getReader();
  await assert.rejects(socket.startTls(), { name: 'InvalidStateError', message: /release the reader/ });
  reader.releaseLock();
  await assert.rejects(socket.startTls({ serverName: 'bad name' }), { name: 'TypeError' });
  await assert.rejects(socket.startTls({ caCertificates: 'x' }), { name: 'TypeError', message: /trust is the operator/ });
  await socket.close();
  const plain = new TCPSocket('127.0.0.1', STARTTLS_PORT, { bridge: b });
  await plain.opened;
  await assert.rejects(plain.startTls(), { name: 'InvalidStateError', message: /tls: "starttls"/ });
  await plain.close();
  assert.throws(() => new TCPSocket('127.0.0.1', STARTTLS_PORT, { bridge: b, tls: 'maybe' }), TypeError);
  b.close();
});
