// TCPSocket with the WICG Direct Sockets shape, through the bridge.
import { T, HEADER, MAX_DATA, frame, textFrame, creditFrame, info } from './frames.js';
import { bridgeFor, errorFromFrame, quietPromise } from './bridge.js';
import { tcpOptions } from './options.js';

const CHUNK = MAX_DATA - HEADER; // one DATA frame per WebSocket message, within 64 KiB
const READ_WINDOW = 1 << 20; // bytes the page lets the gateway send ahead of the application
const ACCEPTED = Symbol('accepted');

export function toBytes(chunk) {
  if (chunk instanceof ArrayBuffer) return new Uint8Array(chunk.slice(0));
  if (ArrayBuffer.isView(chunk)) return new Uint8Array(chunk.buffer.slice(chunk.byteOffset, chunk.byteOffset + chunk.byteLength));
  throw new TypeError('write() takes an ArrayBuffer or an ArrayBufferView (e.g. a Uint8Array)');
}

export function openInfo(i) {
  const out = {};
  for (const k of ['remoteAddress', 'localAddress']) if (i[k] !== undefined) out[k] = i[k];
  for (const k of ['remotePort', 'localPort']) if (i[k] !== undefined) out[k] = Number(i[k]);
  return out;
}

/** A TCP connection: `new TCPSocket(remoteAddress, remotePort, options)`. */
export class TCPSocket {
  #bridge;
  #id;
  #opened = quietPromise();
  #closed = quietPromise();
  #readable;
  #writable;
  #readCtl;
  #writeCtl;
  #outstanding = 0; // credit granted to the gateway and not used yet
  #sendCredit = 0;
  #creditWaiters = [];
  #readDone = false;
  #done = false;
  #isOpen = false;

  /**
   * `new TCPSocket('plc1.local', 502, options)`, or a named endpoint the operator configured:
   * `new TCPSocket(undefined, undefined, { endpoint: 'plc1' })` (null works too). `opened` then tells
   * the address the operator chose; it rejects with NotFoundError when the gateway has no such
   * endpoint and with NotAllowedError when the page's origin is not granted its destination.
   *
   * @param {string|null|undefined} remoteAddress host name or IP; omitted with options.endpoint
   * @param {number|null|undefined} remotePort 1..65535; omitted with options.endpoint
   * @param {object} [options] noDelay, keepAliveDelay, sendBufferSize, receiveBufferSize, dnsQueryType,
   *   connectTimeout, tls ("on"/"off"), serverName, alpn, endpoint, bridge
   */
  constructor(remoteAddress, remotePort, options = {}) {
    if (remoteAddress === ACCEPTED) {
      this.#bridge = remotePort.bridge;
      this.#id = remotePort.id;
      this.#bridge._register(this, this.#id);
      this.#streams();
      this.#opened.resolve(this.#openInfo(remotePort.info));
      this.#isOpen = true;
      this.#grant();
      return;
    }
    const text = tcpOptions(remoteAddress, remotePort, options ?? {});
    this.#bridge = bridgeFor(options);
    this.#id = this.#bridge._register(this);
    this.#streams();
    this.#bridge._send(textFrame(T.OPEN_TCP, this.#id, text));
    this.#grant();
  }

  /** @internal */
  static _accepted(bridge, id, info) {
    return new TCPSocket(ACCEPTED, { bridge, id, info });
  }

  /** Resolves with {readable, writable, remoteAddress, remotePort, localAddress, localPort}. */
  get opened() {
    return this.#opened.promise;
  }

  /** Resolves when the socket is closed, rejects with the error that ended it. */
  get closed() {
    return this.#closed.promise;
  }

  /** Closes both directions. Rejects with InvalidStateError while a stream is locked (as in Direct Sockets). */
  close() {
    if (this.#readable.locked || this.#writable.locked) {
      return Promise.reject(new DOMException('close() needs the readable and writable unlocked: release the'
        + ' reader and writer (or cancel/close the streams) first', 'InvalidStateError'));
    }
    if (!this.#done) {
      this.#readable.cancel().catch(() => {});
      this.#bridge._send(frame(T.CLOSE, this.#id));
    }
    return this.#closed.promise;
  }

  #openInfo(text) {
    return { readable: this.#readable, writable: this.#writable, ...openInfo(info(text)) };
  }

  #streams() {
    this.#readable = new ReadableStream({
      type: 'bytes',
      start: (c) => {
        this.#readCtl = c;
      },
      pull: () => this.#grant(),
      cancel: () => {
        this.#readDone = true;
      },
    }, { highWaterMark: READ_WINDOW });
    this.#writable = new WritableStream({
      start: (c) => {
        this.#writeCtl = c;
      },
      write: (chunk) => this.#write(chunk),
      close: () => {
        this.#bridge._send(frame(T.END, this.#id));
      },
      abort: () => {
        if (!this.#done) this.#bridge._send(frame(T.CLOSE, this.#id));
      },
    }, { highWaterMark: 1 });
  }

  // Credit: what the application's queue has room for, minus what the gateway may already send.
  #grant() {
    if (this.#readDone || this.#done) return;
    const want = (this.#readCtl.desiredSize ?? 0) - this.#outstanding;
    if (want >= Math.min(READ_WINDOW / 4, 65536)) {
      this.#outstanding += want;
      this.#bridge._send(creditFrame(this.#id, want));
    }
  }

  async #write(chunk) {
    const bytes = toBytes(chunk);
    let off = 0;
    while (off < bytes.byteLength) {
      while (this.#sendCredit === 0) {
        if (this.#done) throw new DOMException('the socket is closed', 'InvalidStateError');
        await new Promise((resolve) => this.#creditWaiters.push(resolve));
      }
      const n = Math.min(this.#sendCredit, CHUNK, bytes.byteLength - off);
      this.#bridge._send(frame(T.DATA, this.#id, bytes.subarray(off, off + n)));
      this.#sendCredit -= n;
      off += n;
    }
  }

  #wake() {
    const w = this.#creditWaiters;
    this.#creditWaiters = [];
    for (const r of w) r();
  }

  /** @internal: a frame for this socket. */
  _frame(type, payload) {
    switch (type) {
      case T.OPENED:
        this.#isOpen = true;
        this.#opened.resolve(this.#openInfo(payload));
        break;
      case T.CREDIT:
        this.#sendCredit += new DataView(payload.buffer, payload.byteOffset).getUint32(0);
        this.#wake();
        break;
      case T.DATA:
        this.#outstanding -= payload.byteLength;
        if (!this.#readDone) {
          this.#readCtl.enqueue(payload);
          this.#grant();
        }
        break;
      case T.END:
        this.#endRead();
        break;
      case T.CLOSE:
        this.#endRead();
        this.#finish(null);
        break;
      case T.ERROR:
        this.#finish(errorFromFrame(payload));
        break;
      default:
        break;
    }
  }

  #endRead() {
    if (this.#readDone) return;
    this.#readDone = true;
    try {
      this.#readCtl.close();
      this.#readCtl.byobRequest?.respond(0);
    } catch {
      // already closed or errored
    }
  }

  /** @internal: the bridge connection failed. */
  _fail(err) {
    this.#finish(err);
  }

  #finish(err) {
    if (this.#done) return;
    this.#done = true;
    this.#bridge._forget(this.#id);
    if (err) {
      if (!this.#isOpen) this.#opened.reject(err);
      try {
        this.#readCtl.error(err);
      } catch {
        // already closed
      }
      this.#writeCtl.error(err);
      this.#closed.reject(err);
    } else {
      const gone = new DOMException('the socket is closed', 'InvalidStateError');
      if (!this.#isOpen) this.#opened.reject(gone);
      this.#writeCtl.error(gone);
      this.#closed.resolve();
    }
    this.#wake();
  }
}
