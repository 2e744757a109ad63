// UDPSocket (connected or bound) with the WICG Direct Sockets shape, through the bridge.
import { T, frame, textFrame, creditFrame, info } from './frames.js';
import { bridgeFor, errorFromFrame, quietPromise } from './bridge.js';
import { udpOptions } from './options.js';
import { openInfo, toBytes } from './tcp.js';

const WINDOW = 256 * 1024; // datagram bytes the gateway may send ahead of the application
const ascii = new TextEncoder();
const asciid = new TextDecoder();

/** A UDP socket: `new UDPSocket({remoteAddress, remotePort})` or `new UDPSocket({localAddress, localPort})`. */
export class UDPSocket {
  #bridge;
  #id;
  #opened = quietPromise();
  #closed = quietPromise();
  #readable;
  #writable;
  #readCtl;
  #writeCtl;
  #outstanding = 0;
  #sendCredit = 0;
  #waiters = [];
  #done = false;
  #isOpen = false;

  constructor(options = {}) {
    const text = udpOptions(options ?? {});
    this.#bridge = bridgeFor(options);
    this.#id = this.#bridge._register(this);
    this.#readable = new ReadableStream({
      start: (c) => {
        this.#readCtl = c;
      },
      pull: () => this.#grant(),
    }, { highWaterMark: 16 });
    this.#writable = new WritableStream({
      start: (c) => {
        this.#writeCtl = c;
      },
      write: (m) => this.#write(m),
      close: () => this.#bridge._send(frame(T.CLOSE, this.#id)),
      abort: () => this.#bridge._send(frame(T.CLOSE, this.#id)),
    }, { highWaterMark: 1 });
    this.#bridge._send(textFrame(T.OPEN_UDP, this.#id, text));
    this.#grant();
  }

  get opened() {
    return this.#opened.promise;
  }

  get closed() {
    return this.#closed.promise;
  }

  close() {
    if (this.#readable.locked || this.#writable.locked) {
      return Promise.reject(new DOMException('close() needs the readable and writable unlocked', 'InvalidStateError'));
    }
    if (!this.#done) this.#bridge._send(frame(T.CLOSE, this.#id));
    return this.#closed.promise;
  }

  #grant() {
    if (this.#done) return;
    const want = WINDOW - this.#outstanding;
    if (want >= WINDOW / 2) {
      this.#outstanding += want;
      this.#bridge._send(creditFrame(this.#id, want));
    }
  }

  async #write(message) {
    if (message === null || typeof message !== 'object' || message.data === undefined) {
      throw new TypeError('write() takes a UDPMessage {data, remoteAddress?, remotePort?}');
    }
    const data = toBytes(message.data);
    const host = message.remoteAddress === undefined ? new Uint8Array(0) : ascii.encode(String(message.remoteAddress));
    const port = message.remotePort ?? 0;
    if (host.length > 255 || !Number.isInteger(port) || port < 0 || port > 65535 || (host.length > 0) !== (port > 0)) {
      throw new TypeError('remoteAddress and remotePort (1..65535) go together, for a bound socket only');
    }
    const cost = Math.max(1, data.byteLength);
    while (this.#sendCredit < cost) {
      if (this.#done) throw new DOMException('the socket is closed', 'InvalidStateError');
      await new Promise((resolve) => this.#waiters.push(resolve));
    }
    this.#sendCredit -= cost;
    const p = new Uint8Array(3 + host.length + data.byteLength);
    p[0] = host.length;
    p.set(host, 1);
    new DataView(p.buffer).setUint16(1 + host.length, port);
    p.set(data, 3 + host.length);
    this.#bridge._send(frame(T.DATAGRAM, this.#id, p));
  }

  /** @internal */
  _frame(type, payload) {
    switch (type) {
      case T.OPENED:
        this.#isOpen = true;
        this.#opened.resolve({ readable: this.#readable, writable: this.#writable, ...openInfo(info(payload)) });
        break;
      case T.CREDIT: {
        this.#sendCredit += new DataView(payload.buffer, payload.byteOffset).getUint32(0);
        const w = this.#waiters;
        this.#waiters = [];
        w.forEach((r) => r());
        break;
      }
      case T.DATAGRAM: {
        const hostLength = payload[0];
        const port = new DataView(payload.buffer, payload.byteOffset).getUint16(1 + hostLength);
        const data = payload.slice(3 + hostLength);
        this.#outstanding -= Math.max(1, data.byteLength);
        const m = { data };
        if (hostLength > 0) {
          m.remoteAddress = asciid.decode(payload.subarray(1, 1 + hostLength));
          m.remotePort = port;
        }
        this.#readCtl.enqueue(m);
        break;
      }
      case T.CLOSE:
        this.#finish(null);
        break;
      case T.ERROR:
        this.#finish(errorFromFrame(payload));
        break;
      default:
        break;
    }
  }

  /** @internal */
  _fail(err) {
    this.#finish(err);
  }

  #finish(err) {
    if (this.#done) return;
    this.#done = true;
    this.#bridge._forget(this.#id);
    const e = err ?? new DOMException('the socket is closed', 'InvalidStateError');
    if (!this.#isOpen) this.#opened.reject(e);
    if (err) {
      this.#readCtl.error(err);
      this.#closed.reject(err);
    } else {
      try {
        this.#readCtl.close();
      } catch {
        // already closed
      }
      this.#closed.resolve();
    }
    this.#writeCtl.error(e);
    const w = this.#waiters;
    this.#waiters = [];
    w.forEach((r) => r());
  }
}
