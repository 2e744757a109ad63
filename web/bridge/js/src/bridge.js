// One WebSocket to the gateway's bridge, carrying any number of sockets.
import { Decoder, T, HEADER, MAX_DATA, MAX_MESSAGE, frame, text } from './frames.js';

export const SUBPROTOCOL = 'direct-sockets.v1';

let defaultBridge = null;

/** An Error for an ERROR frame: DOMException with the spec's name (TypeError for options). */
export function errorFromFrame(payload) {
  const [name, reason, ...rest] = text(payload).split('\n');
  const message = rest.join('\n');
  if (name === 'TypeError') return new TypeError(message);
  const e = new DOMException(message, name === 'ProtocolError' ? 'NetworkError' : name);
  if (reason) {
    try {
      Object.defineProperty(e, 'reason', { value: reason, enumerable: true });
    } catch {
      // a frozen DOMException: the message still says it
    }
  }
  return e;
}

/** A promise whose rejection is handled (the caller may never look at it). */
export function quietPromise() {
  let resolve;
  let reject;
  const promise = new Promise((res, rej) => {
    resolve = res;
    reject = rej;
  });
  promise.catch(() => {});
  return { promise, resolve, reject };
}

/**
 * The connection to a gateway's Direct Sockets bridge (`wss://gateway/direct-sockets`). Sockets are
 * created with `new TCPSocket(..., { bridge })`, or with the default bridge set by `configure`.
 */
export class DirectSocketsBridge {
  #ws;
  #decoder = new Decoder();
  #sockets = new Map();
  #nextId = 1;
  #ready;
  #failure = null;
  #dead = null;
  #wasOpen = false;
  #scratch = new Uint8Array(0); // _sendPayload's message, reused
  #scratchView = null;
  #held = []; // CREDIT frames that go out with the next message (_sendSoon)
  #heldBytes = 0;
  #heldTimer = null;

  /**
   * @param {string} url ws:// or wss:// URL of the bridge endpoint
   * @param {{token?: string, WebSocket?: Function, webSocketOptions?: object}} [options]
   *   token: the operator-issued client token (sent as the subprotocol `bearer.<token>`);
   *   WebSocket / webSocketOptions: another WebSocket implementation and its constructor options (its
   *   send() must copy the bytes when called, as the WHATWG WebSocket does: frames are built in a reused buffer)
   */
  constructor(url, options = {}) {
    const WS = options.WebSocket ?? globalThis.WebSocket;
    if (typeof WS !== 'function') {
      throw new TypeError('no WebSocket implementation: pass options.WebSocket');
    }
    if (options.token !== undefined && !/^[A-Za-z0-9_-]{16,128}$/.test(options.token)) {
      throw new TypeError('options.token must be the token the operator issued (16..128 of A-Z a-z 0-9 _ -)');
    }
    const protocols = [SUBPROTOCOL];
    if (options.token) protocols.push(`bearer.${options.token}`);
    this.#ws = options.webSocketOptions ? new WS(url, { ...options.webSocketOptions, protocols }) : new WS(url, protocols);
    this.#ws.binaryType = 'arraybuffer';
    const ready = quietPromise();
    this.#ready = ready.promise;
    this.#ws.onopen = () => {
      this.#wasOpen = true;
      ready.resolve(this);
    };
    // A refused handshake (403) or a lost connection: some implementations fire only 'error'.
    this.#ws.onerror = () => {
      if (!this.#wasOpen && this.#dead === null) {
        const err = this.#failure ?? new DOMException('the bridge refused or lost the connection (HTTP 403: origin'
          + ' not allowed; or the gateway is unreachable)', 'NetworkError');
        this.#dead = err;
        ready.reject(err);
        this.#failAll(err);
      }
    };
    this.#ws.onclose = (ev) => {
      if (this.#dead !== null && !this.#wasOpen) return; // the 'error' of a refused handshake said it
      const why = ev.code === 1006 && this.#failure === null
        ? 'the bridge refused or lost the connection (HTTP 403: origin not allowed; or the gateway is unreachable)'
        : `the bridge closed the connection: ${ev.code} ${ev.reason ?? ''}`.trim();
      const name = ev.code === 1008 ? 'NotAllowedError' : 'NetworkError';
      const err = this.#failure ?? new DOMException(why, name);
      this.#dead = err;
      ready.reject(err);
      this.#failAll(err);
    };
    this.#ws.onmessage = (ev) => {
      try {
        this.#decoder.feed(new Uint8Array(ev.data), (type, id, payload) => this.#dispatch(type, id, payload));
      } catch (e) {
        this.#failure = new DOMException(String(e.message ?? e), 'NetworkError');
        this.#ws.close(1002, 'malformed frame from the gateway');
      }
    };
  }

  /** Resolves when the WebSocket is open, rejects when it was refused or closed. */
  get ready() {
    return this.#ready;
  }

  /** Sockets open or opening on this connection. */
  get socketCount() {
    return this.#sockets.size;
  }

  /** Closes the WebSocket: every socket on it fails with NetworkError. */
  close() {
    this.#ws.close(1000, 'closed by the page');
  }

  /** @internal */
  _register(socket, id = 0) {
    if (this.#dead || this.#failure || this.#ws.readyState > 1) {
      throw new DOMException(`the bridge connection is closed (${(this.#dead ?? this.#failure)?.message ?? 'closed'})`,
        'InvalidStateError');
    }
    const sid = id || this.#nextId++;
    this.#sockets.set(sid, socket);
    return sid;
  }

  /** @internal */
  _forget(id) {
    this.#sockets.delete(id);
  }

  /**
   * @internal: sends one DATA (or DATAGRAM) frame of `payload`, in order. On an open WebSocket the frame
   * is built in one buffer this connection reuses for every such frame: WebSocket.send() takes a copy
   * of the bytes when called (WHATWG WebSockets; a `WebSocket` passed in the options must do the same),
   * so a write costs no allocation (issue 19: the page's garbage collector took a tenth of the main
   * thread in a bulk transfer with a new 64 KiB frame per write).
   */
  _sendPayload(type, id, payload) {
    if (this.#ws.readyState !== 1) {
      this._send(frame(type, id, payload));
      return;
    }
    const size = HEADER + payload.byteLength;
    if (this.#heldBytes + size > MAX_MESSAGE) this.#flushHeld();
    const held = this.#heldBytes;
    if (this.#scratch.byteLength < held + size) {
      this.#scratch = new Uint8Array(Math.max(held + size, MAX_MESSAGE));
      this.#scratchView = new DataView(this.#scratch.buffer);
    }
    this.#takeHeld(this.#scratch);
    this.#scratchView.setUint8(held, type);
    this.#scratchView.setUint32(held + 1, id >>> 0);
    this.#scratchView.setUint32(held + 5, payload.byteLength);
    this.#scratch.set(payload, held + HEADER);
    this.#ws.send(this.#scratch.subarray(0, held + size));
  }

  /**
   * @internal: sends a CREDIT frame with the next message this connection sends (before that message's
   * frame, in the same WebSocket message), or on its own once the current task is done: in a transfer
   * both ways the page's credit rides on its DATA messages instead of costing a message each (issue 19:
   * a browser pays per message, in the page and in its network process). Credit is granted a quarter
   * window ahead, so the gateway never waits for it.
   */
  _sendSoon(bytes) {
    if (this.#ws.readyState !== 1) {
      this._send(bytes);
      return;
    }
    if (this.#heldBytes + bytes.byteLength > MAX_MESSAGE) this.#flushHeld();
    this.#held.push(bytes);
    this.#heldBytes += bytes.byteLength;
    this.#heldTimer ??= setTimeout(() => {
      this.#heldTimer = null;
      this.#flushHeld();
    }, 0);
  }

  /** @internal: sends one frame, in order (after held CREDIT frames, in the same message when they fit), once the WebSocket is open. */
  _send(bytes) {
    if (this.#ws.readyState === 1) {
      if (this.#heldBytes > 0 && this.#heldBytes + bytes.byteLength <= MAX_MESSAGE) {
        const message = new Uint8Array(this.#heldBytes + bytes.byteLength);
        message.set(bytes, this.#takeHeld(message));
        this.#ws.send(message);
        return;
      }
      this.#flushHeld();
      this.#ws.send(bytes);
    } else if (this.#ws.readyState === 0) {
      this.#ready.then(() => this.#ws.send(bytes), () => {});
    }
  }

  // Copies the held frames to the start of `into`, forgets them; returns their length.
  #takeHeld(into) {
    let off = 0;
    for (const f of this.#held) {
      into.set(f, off);
      off += f.byteLength;
    }
    this.#held = [];
    this.#heldBytes = 0;
    if (this.#heldTimer !== null) {
      clearTimeout(this.#heldTimer);
      this.#heldTimer = null;
    }
    return off;
  }

  #flushHeld() {
    if (this.#heldBytes === 0 || this.#ws.readyState !== 1) {
      this.#held = [];
      this.#heldBytes = 0;
      return;
    }
    const message = new Uint8Array(this.#heldBytes);
    this.#takeHeld(message);
    this.#ws.send(message);
  }

  #dispatch(type, id, payload) {
    if (id === 0 && type === T.ERROR) {
      this.#failure = errorFromFrame(payload);
      this.#failAll(this.#failure);
      return;
    }
    const socket = this.#sockets.get(id);
    if (socket === undefined) return; // a socket the page already forgot
    if (type === T.CLOSE || type === T.ERROR) this.#sockets.delete(id);
    socket._frame(type, payload);
  }

  #failAll(err) {
    const all = [...this.#sockets.values()];
    this.#sockets.clear();
    for (const s of all) s._fail(err);
  }
}

/** Sets the bridge that sockets created without `options.bridge` use. */
export function configure(urlOrBridge, options = {}) {
  defaultBridge = urlOrBridge instanceof DirectSocketsBridge ? urlOrBridge : new DirectSocketsBridge(urlOrBridge, options);
  return defaultBridge;
}

/** @internal */
export function bridgeFor(options) {
  const b = options?.bridge ?? defaultBridge;
  if (!(b instanceof DirectSocketsBridge)) {
    throw new TypeError('no bridge: call configure(url, { token }) first or pass options.bridge');
  }
  return b;
}
