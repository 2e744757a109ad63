// TCPServerSocket with the WICG Direct Sockets shape, through the bridge.
import { T, frame, textFrame, creditFrame, info } from './frames.js';
import { bridgeFor, errorFromFrame, quietPromise } from './bridge.js';
import { serverOptions } from './options.js';
import { TCPSocket, openInfo } from './tcp.js';

/** A TCP server socket: `new TCPServerSocket(localAddress, {localPort, backlog})`; readable yields TCPSockets. */
export class TCPServerSocket {
  #bridge;
  #id;
  #opened = quietPromise();
  #closed = quietPromise();
  #readable;
  #readCtl;
  #done = false;
  #isOpen = false;

  constructor(localAddress, options = {}) {
    const text = serverOptions(localAddress, options ?? {});
    this.#bridge = bridgeFor(options);
    this.#id = this.#bridge._register(this);
    this.#readable = new ReadableStream({
      start: (c) => {
        this.#readCtl = c;
      },
      // one connection per pull: the gateway accepts only as many as the page takes
      pull: () => {
        if (!this.#done) this.#bridge._send(creditFrame(this.#id, 1));
        return new Promise((resolve) => {
          this.#pulled = resolve;
        });
      },
    }, { highWaterMark: 0 });
    this.#bridge._send(textFrame(T.OPEN_TCP_SERVER, this.#id, text));
  }

  #pulled = null;

  get opened() {
    return this.#opened.promise;
  }

  get closed() {
    return this.#closed.promise;
  }

  close() {
    if (this.#readable.locked) {
      return Promise.reject(new DOMException('close() needs the readable unlocked', 'InvalidStateError'));
    }
    if (!this.#done) this.#bridge._send(frame(T.CLOSE, this.#id));
    return this.#closed.promise;
  }

  /** @internal */
  _frame(type, payload) {
    switch (type) {
      case T.OPENED:
        this.#isOpen = true;
        this.#opened.resolve({ readable: this.#readable, ...openInfo(info(payload)) });
        break;
      case T.ACCEPTED: {
        const childId = new DataView(payload.buffer, payload.byteOffset).getUint32(0);
        this.#readCtl.enqueue(TCPSocket._accepted(this.#bridge, childId, payload.subarray(4)));
        const p = this.#pulled;
        this.#pulled = null;
        p?.();
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
    if (!this.#isOpen) this.#opened.reject(err ?? new DOMException('the socket is closed', 'InvalidStateError'));
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
    const p = this.#pulled;
    this.#pulled = null;
    p?.();
  }
}
