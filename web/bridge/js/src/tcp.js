// TCPSocket with the WICG Direct Sockets shape, through the bridge.
import { T, MAX_DATA, frame, textFrame, creditFrame, info } from './frames.js';
import { bridgeFor, errorFromFrame, quietPromise } from './bridge.js';
import { tcpOptions, startTlsOptions } from './options.js';

const READ_WINDOW = 1 << 20; // bytes the page lets the gateway send ahead of the application
const GRANT_MIN = READ_WINDOW / 4; // credit goes back in batches of at least a quarter window
const ACCEPTED = Symbol('accepted');

/** The bytes of a write as a Uint8Array over the caller's memory (no copy). */
function viewOf(chunk) {
  if (chunk instanceof ArrayBuffer) return new Uint8Array(chunk);
  if (ArrayBuffer.isView(chunk)) return new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  throw new TypeError('write() takes an ArrayBuffer or an ArrayBufferView (e.g. a Uint8Array)');
}

export function toBytes(chunk) {
  if (chunk instanceof ArrayBuffer) return new Uint8Array(chunk.slice(0));
  if (ArrayBuffer.isView(chunk)) return new Uint8Array(chunk.buffer.slice(chunk.byteOffset, chunk.byteOffset + chunk.byteLength));
  throw new TypeError('write() takes an ArrayBuffer or an ArrayBufferView (e.g. a Uint8Array)');
}

export function openInfo(i) {
  const out = {};
  for (const k of ['remoteAddress', 'localAddress', 'tlsProtocol', 'tlsCipherSuite', 'alpnProtocol']) if (i[k] !== undefined) out[k] = i[k];
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
  #starttls = false;
  #upgrade = null; // the startTls() promise while the upgrade runs
  #upgraded = false;
  #gen = 0; // the current pair of streams (startTls() replaces them)
  #writing = 0; // writes of the current writable not finished yet
  #hold = null; // #write's copy of what waits for credit, reused

  /**
   * `new TCPSocket('plc1.local', 502, options)`, or a named endpoint the operator configured:
   * `new TCPSocket(undefined, undefined, { endpoint: 'plc1' })` (null works too). `opened` then tells
   * the address the operator chose; it rejects with NotFoundError when the gateway has no such
   * endpoint and with NotAllowedError when the page's origin is not granted its destination.
   *
   * @param {string|null|undefined} remoteAddress host name or IP; omitted with options.endpoint
   * @param {number|null|undefined} remotePort 1..65535; omitted with options.endpoint
   * @param {object} [options] noDelay, keepAliveDelay, sendBufferSize, receiveBufferSize, dnsQueryType,
   *   connectTimeout, tls ("on"/"off"/"starttls"), serverName, alpn, endpoint, bridge
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
    this.#starttls = options?.tls === 'starttls';
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

  /**
   * Upgrades a connection opened with `{ tls: 'starttls' }` to TLS in place, once the application
   * protocol agreed (e.g. SMTP's `220` to `STARTTLS`). Call it with the reader and writer released
   * and every write finished: the old `writable` errors at once, the old `readable` keeps the plain
   * bytes that arrived before the switch and then closes. Resolves, after the handshake, with new
   * `{readable, writable, remoteAddress, remotePort, localAddress, localPort, tlsProtocol,
   * tlsCipherSuite, alpnProtocol}`; rejects with NetworkError (`reason` TLS_CERTIFICATE,
   * TLS_PROTOCOL...) and the socket closes. Trust is the operator's (the JDK trust store, or the named
   * endpoint's); only `serverName` may be given (not with a named endpoint: the operator sets it).
   *
   * @param {{serverName?: string}} [options]
   */
  startTls(options = {}) {
    let text;
    try {
      text = startTlsOptions(options ?? {});
    } catch (e) {
      return Promise.reject(e);
    }
    const refuse = (why) => Promise.reject(new DOMException(`startTls() ${why}`, 'InvalidStateError'));
    if (!this.#starttls) return refuse('needs a socket opened with { tls: "starttls" }');
    if (this.#done) return refuse('on a closed socket');
    if (!this.#isOpen) return refuse('before the socket is open: await socket.opened first');
    if (this.#upgrade || this.#upgraded) return refuse('was already called: a connection upgrades once');
    if (this.#readable.locked || this.#writable.locked) {
      return refuse('needs the readable and writable unlocked: release the reader and writer first');
    }
    if (this.#writing > 0) return refuse('needs every write finished: await the writes first');
    this.#upgrade = quietPromise();
    this.#bridge._send(textFrame(T.STARTTLS, this.#id, text));
    this.#writeCtl.error(new DOMException('this writable was replaced by startTls(): write to the one it resolves with',
      'InvalidStateError'));
    return this.#upgrade.promise;
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
    const gen = ++this.#gen;
    const current = () => gen === this.#gen;
    this.#readable = new ReadableStream({
      type: 'bytes',
      start: (c) => {
        this.#readCtl = c;
      },
      pull: () => {
        if (current()) this.#grant();
      },
      cancel: () => {
        if (current()) this.#readDone = true;
      },
    }, { highWaterMark: READ_WINDOW });
    this.#writable = new WritableStream({
      start: (c) => {
        this.#writeCtl = c;
      },
      write: async (chunk) => {
        this.#writing++;
        try {
          await this.#write(chunk);
        } finally {
          this.#writing--;
        }
      },
      close: () => {
        this.#bridge._send(frame(T.END, this.#id));
      },
      abort: () => {
        if (!this.#done && current() && !this.#upgrade) this.#bridge._send(frame(T.CLOSE, this.#id));
      },
    }, { highWaterMark: 1 });
  }

  // Credit: what the application's queue has room for, minus what the gateway may already send.
  #grant() {
    if (this.#readDone || this.#done) return;
    const want = (this.#readCtl.desiredSize ?? 0) - this.#outstanding;
    if (want >= GRANT_MIN) {
      this.#outstanding += want;
      this.#bridge._sendSoon(creditFrame(this.#id, want));
    }
  }

  // One DATA frame per MAX_DATA bytes (a 64 KiB write is one frame, one WebSocket message of 64 KiB + 9),
  // fewer when the credit runs short. The frames copy the caller's bytes as they are sent; what must
  // wait for credit is copied first, so the caller's buffer is never read after a wait. That copy goes
  // into a buffer the socket keeps for it (writes run one at a time), when the rest fits in MAX_DATA.
  async #write(chunk) {
    let bytes = viewOf(chunk);
    let off = 0;
    let own = false;
    while (off < bytes.byteLength) {
      if (this.#sendCredit === 0 && !own) {
        const rest = bytes.byteLength - off;
        if (rest <= MAX_DATA) {
          this.#hold ??= new Uint8Array(MAX_DATA);
          this.#hold.set(bytes.subarray(off));
          bytes = this.#hold.subarray(0, rest);
        } else {
          bytes = bytes.slice(off);
        }
        off = 0;
        own = true;
      }
      while (this.#sendCredit === 0) {
        if (this.#done) throw new DOMException('the socket is closed', 'InvalidStateError');
        await new Promise((resolve) => this.#creditWaiters.push(resolve));
      }
      const n = Math.min(this.#sendCredit, MAX_DATA, bytes.byteLength - off);
      this.#bridge._sendPayload(T.DATA, this.#id, bytes.subarray(off, off + n));
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
      case T.TLS_STARTED: {
        if (!this.#upgrade) break;
        const old = this.#readCtl;
        try {
          old.close(); // the plain bytes queued before the switch stay readable
          old.byobRequest?.respond(0);
        } catch {
          // cancelled or closed by the application
        }
        this.#readDone = false;
        this.#streams();
        this.#upgraded = true;
        const upgrade = this.#upgrade;
        this.#upgrade = null;
        upgrade.resolve(this.#openInfo(payload));
        this.#grant();
        break;
      }
      case T.CREDIT:
        this.#sendCredit += new DataView(payload.buffer, payload.byteOffset).getUint32(0);
        this.#wake();
        break;
      case T.DATA:
        this.#outstanding -= payload.byteLength;
        if (!this.#readDone) {
          this.#deliver(payload);
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

  // Into the pending BYOB read's view when there is one (what does not fit is queued), else queued: a
  // BYOB read is filled without queueing the message's buffer first.
  #deliver(payload) {
    const req = this.#readCtl.byobRequest;
    const view = req?.view;
    if (!view || view.byteLength === 0) {
      this.#readCtl.enqueue(payload);
      return;
    }
    const n = Math.min(view.byteLength, payload.byteLength);
    new Uint8Array(view.buffer, view.byteOffset, n).set(payload.subarray(0, n));
    req.respond(n);
    if (n < payload.byteLength) this.#readCtl.enqueue(payload.subarray(n));
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
    this.#upgrade?.reject(err ?? new DOMException('the socket closed during startTls()', 'InvalidStateError'));
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
