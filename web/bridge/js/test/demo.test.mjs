// The demo pages' code through the bridge: the Modbus register viewer's framing (demo/modbus.js) to a
// real Modbus server (j2mod, started by JsLibraryNodeTest: holding register i = 3i), and the raw TCP
// terminal's choices (demo/terminal.js): an address, or the name of an endpoint the operator configured
// (JsLibraryNodeTest's tcp-echo), and the line a user sees for an unknown name.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DirectSocketsBridge, TCPSocket } from '../src/direct-sockets.js';
import { ModbusClient, readHoldingRequest } from '../../demo/modbus.js';
import { connectedLine, errorLine, socketArguments } from '../../demo/terminal.js';

const URL = process.env.BRIDGE_URL;
const MODBUS = Number(process.env.MODBUS_PORT);
const TCP_ECHO = Number(process.env.TCP_ECHO_PORT);

const bridge = () => new DirectSocketsBridge(URL, {
  token: process.env.BRIDGE_TOKEN, webSocketOptions: { headers: { Origin: process.env.BRIDGE_ORIGIN } },
});

/** Sends a line as the terminal does and reads until its echo came back. */
async function echoLine({ readable, writable }, line) {
  const writer = writable.getWriter();
  await writer.write(new TextEncoder().encode(line + '\r\n'));
  writer.releaseLock();
  const reader = readable.getReader();
  const decoder = new TextDecoder();
  let text = '';
  while (!text.endsWith('\r\n')) {
    const { value, done } = await reader.read();
    if (done) break;
    text += decoder.decode(value, { stream: true });
  }
  reader.releaseLock();
  return text;
}

test('the request ADU of "read 10 holding registers from 0"', () => {
  assert.deepEqual([...readHoldingRequest(1, 1, 0, 10)], [0, 1, 0, 0, 0, 6, 1, 3, 0, 0, 0, 10]);
  assert.throws(() => readHoldingRequest(1, 1, 0, 126), TypeError);
});

test('the Modbus demo reads holding registers from a real Modbus server through the bridge', async () => {
  assert.ok(MODBUS > 0, 'MODBUS_PORT is not set: run through JsLibraryNodeTest');
  const b = bridge();
  const socket = new TCPSocket('127.0.0.1', MODBUS, { bridge: b, noDelay: true });
  const client = new ModbusClient(await socket.opened);
  assert.deepEqual(await client.readHolding(1, 0, 10), [0, 3, 6, 9, 12, 15, 18, 21, 24, 27]);
  assert.deepEqual(await client.readHolding(1, 100, 3), [300, 303, 306]);
  await assert.rejects(client.readHolding(1, 199, 5), /Modbus exception 2/);
  client.release();
  await socket.close();
  b.close();
});

test('the terminal\'s form: an address, or an endpoint name in place of host and port; blank fields refused', () => {
  assert.deepEqual(socketArguments({ by: 'address', host: ' 127.0.0.1 ', port: '7' }), ['127.0.0.1', 7, {}]);
  assert.deepEqual(socketArguments({ by: 'endpoint', endpoint: ' plc1 ', host: '10.0.0.1', port: '502' }),
    [undefined, undefined, { endpoint: 'plc1' }]);
  assert.throws(() => socketArguments({ by: 'endpoint', endpoint: '  ' }), { name: 'TypeError', message: /name of an endpoint/ });
  assert.throws(() => socketArguments({ by: 'address', host: '', port: '7' }), { name: 'TypeError', message: /host name/ });
});

test('the terminal connects by endpoint name through the bridge and shows where the operator sent it', async () => {
  assert.ok(TCP_ECHO > 0, 'TCP_ECHO_PORT is not set: run through JsLibraryNodeTest');
  const b = bridge();
  const byName = { by: 'endpoint', endpoint: 'tcp-echo' };
  const socket = new TCPSocket(...socketArguments(byName, { bridge: b }));
  const info = await socket.opened;
  assert.equal(connectedLine(byName, info), `-- connected to endpoint tcp-echo (127.0.0.1:${TCP_ECHO})\n`);
  assert.equal(await echoLine(info, 'hello endpoint terminal'), 'hello endpoint terminal\r\n');
  await socket.close();
  // and by address, as before
  const byAddress = { by: 'address', host: '127.0.0.1', port: String(TCP_ECHO) };
  const plain = new TCPSocket(...socketArguments(byAddress, { bridge: b }));
  const plainInfo = await plain.opened;
  assert.equal(connectedLine(byAddress, plainInfo), `-- connected to 127.0.0.1:${TCP_ECHO}\n`);
  assert.equal(await echoLine(plainInfo, 'hello terminal'), 'hello terminal\r\n');
  await plain.close();
  b.close();
});

test('the terminal shows an unknown endpoint name as NotFoundError naming it, with what to do', async () => {
  const b = bridge();
  const socket = new TCPSocket(...socketArguments({ by: 'endpoint', endpoint: 'no-such-plc' }, { bridge: b }));
  const err = await socket.opened.then(() => assert.fail('opened an endpoint the gateway does not have'), (e) => e);
  assert.equal(err.name, 'NotFoundError');
  const line = errorLine(err);
  assert.match(line, /^-- NotFoundError: .*'no-such-plc'/);
  assert.match(line, /no endpoint of that name: check the name, or ask the operator/);
  assert.doesNotMatch(line, /tcp-echo|udp-echo|not-granted/); // the configured names are not told
  // the bridge goes on: the next connection by name works
  const ok = new TCPSocket(...socketArguments({ by: 'endpoint', endpoint: 'tcp-echo' }, { bridge: b }));
  assert.equal(await echoLine(await ok.opened, 'still here'), 'still here\r\n');
  await ok.close();
  b.close();
});
