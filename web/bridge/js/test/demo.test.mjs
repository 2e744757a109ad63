// The Modbus register viewer's framing (demo/modbus.js) through the bridge to a real Modbus server
// (j2mod, started by JsLibraryNodeTest: holding register i = 3i).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DirectSocketsBridge, TCPSocket } from '../src/direct-sockets.js';
import { ModbusClient, readHoldingRequest } from '../../demo/modbus.js';

const URL = process.env.BRIDGE_URL;
const MODBUS = Number(process.env.MODBUS_PORT);

test('the request ADU of "read 10 holding registers from 0"', () => {
  assert.deepEqual([...readHoldingRequest(1, 1, 0, 10)], [0, 1, 0, 0, 0, 6, 1, 3, 0, 0, 0, 10]);
  assert.throws(() => readHoldingRequest(1, 1, 0, 126), TypeError);
});

test('the Modbus demo reads holding registers from a real Modbus server through the bridge', async () => {
  assert.ok(MODBUS > 0, 'MODBUS_PORT is not set: run through JsLibraryNodeTest');
  const bridge = new DirectSocketsBridge(URL, {
    token: process.env.BRIDGE_TOKEN, webSocketOptions: { headers: { Origin: process.env.BRIDGE_ORIGIN } },
  });
  const socket = new TCPSocket('127.0.0.1', MODBUS, { bridge, noDelay: true });
  const client = new ModbusClient(await socket.opened);
  assert.deepEqual(await client.readHolding(1, 0, 10), [0, 3, 6, 9, 12, 15, 18, 21, 24, 27]);
  assert.deepEqual(await client.readHolding(1, 100, 3), [300, 303, 306]);
  await assert.rejects(client.readHolding(1, 199, 5), /Modbus exception 2/);
  client.release();
  await socket.close();
  bridge.close();
});
