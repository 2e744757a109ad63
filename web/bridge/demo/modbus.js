// Modbus/TCP framing in the page (the bytes go through the Direct Sockets bridge): read holding
// registers (function 3). Used by modbus.html and tested by js/test/demo.test.mjs against j2mod.

/** The request ADU: MBAP header (transaction, protocol 0, length, unit) + PDU (3, address, count). */
export function readHoldingRequest(transaction, unit, address, count) {
  if (!Number.isInteger(count) || count < 1 || count > 125) throw new TypeError('count must be 1..125');
  if (!Number.isInteger(address) || address < 0 || address + count > 65536) throw new TypeError('address out of range');
  const b = new Uint8Array(12);
  const v = new DataView(b.buffer);
  v.setUint16(0, transaction);
  v.setUint16(2, 0);
  v.setUint16(4, 6);
  v.setUint8(6, unit);
  v.setUint8(7, 3);
  v.setUint16(8, address);
  v.setUint16(10, count);
  return b;
}

/** Reads one whole ADU from a BYOB reader of the socket's readable. */
async function readAdu(reader) {
  const header = await readExactly(reader, 7);
  const length = new DataView(header.buffer).getUint16(4);
  if (length < 2 || length > 254) throw new Error(`bad Modbus length ${length}`);
  const rest = await readExactly(reader, length - 1);
  const adu = new Uint8Array(7 + rest.length);
  adu.set(header);
  adu.set(rest, 7);
  return adu;
}

async function readExactly(reader, n) {
  let buf = new Uint8Array(n);
  let have = 0;
  while (have < n) {
    const { value, done } = await reader.read(new Uint8Array(buf.buffer, have, n - have));
    if (done) throw new Error('the device closed the connection');
    buf = new Uint8Array(value.buffer);
    have += value.byteLength;
  }
  return buf;
}

/** A Modbus/TCP client over an opened TCPSocket's streams. */
export class ModbusClient {
  #writer;
  #reader;
  #transaction = 0;

  constructor({ readable, writable }) {
    this.#writer = writable.getWriter();
    this.#reader = readable.getReader({ mode: 'byob' });
  }

  /** Holding registers [address, address + count) of `unit` as numbers. */
  async readHolding(unit, address, count) {
    const tid = (this.#transaction = (this.#transaction + 1) & 0xffff);
    await this.#writer.write(readHoldingRequest(tid, unit, address, count));
    const adu = await readAdu(this.#reader);
    const v = new DataView(adu.buffer);
    if (v.getUint16(0) !== tid) throw new Error(`reply for transaction ${v.getUint16(0)}, expected ${tid}`);
    const fc = adu[7];
    if (fc === 0x83) throw new Error(`Modbus exception ${adu[8]} (2: illegal data address)`);
    if (fc !== 3 || adu[8] !== count * 2) throw new Error(`unexpected reply: function ${fc}, ${adu[8]} bytes`);
    return Array.from({ length: count }, (_, i) => v.getUint16(9 + 2 * i));
  }

  release() {
    this.#writer.releaseLock();
    this.#reader.releaseLock();
  }
}
