// The bridge framing (docs/direct-sockets-bridge.md): type:u8 id:u32 length:u32 payload.
export const HEADER = 9;
export const MAX_DATA = 65536;
/** The largest WebSocket message the gateway takes: one DATAGRAM frame with its header (65,803 bytes). */
export const MAX_MESSAGE = HEADER + MAX_DATA + 258;
export const T = Object.freeze({
  OPEN_TCP: 0x01, OPEN_UDP: 0x02, OPEN_TCP_SERVER: 0x03, STARTTLS: 0x04, OPENED: 0x10, ACCEPTED: 0x11, TLS_STARTED: 0x12,
  DATA: 0x20, DATAGRAM: 0x21, CREDIT: 0x30, END: 0x40, CLOSE: 0x41, ERROR: 0x50,
});
const MAX_PAYLOAD = (type) => (type === T.DATA ? MAX_DATA : type === T.DATAGRAM ? MAX_DATA + 258 : 4096);
const utf8 = new TextEncoder();
const utf8d = new TextDecoder();

/** One encoded frame as a Uint8Array. */
export function frame(type, id, payload = new Uint8Array(0)) {
  const f = new Uint8Array(HEADER + payload.byteLength);
  const v = new DataView(f.buffer);
  v.setUint8(0, type);
  v.setUint32(1, id >>> 0);
  v.setUint32(5, payload.byteLength);
  f.set(payload, HEADER);
  return f;
}

export const textFrame = (type, id, text) => frame(type, id, utf8.encode(text));
export const creditFrame = (id, amount) => {
  const p = new Uint8Array(4);
  new DataView(p.buffer).setUint32(0, amount);
  return frame(T.CREDIT, id, p);
};
export const text = (bytes) => utf8d.decode(bytes);

/** key=value lines (OPENED info) as an object. */
export function info(bytes) {
  const out = {};
  for (const line of text(bytes).split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0) out[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return out;
}

/** Reassembles frames from WebSocket messages (frames may be split or joined). */
export class Decoder {
  #header = new Uint8Array(HEADER);
  #have = 0;
  #body = null;
  #bodyHave = 0;
  #type = 0;
  #id = 0;

  /**
   * Feeds one message; calls onFrame(type, id, payload) per complete frame. Throws on a malformed frame.
   * The payload of the message's last frame may be a view into `bytes`; the others are copies.
   */
  feed(bytes, onFrame) {
    let off = 0;
    while (off < bytes.byteLength) {
      if (this.#body === null && this.#have === 0 && bytes.byteLength - off >= HEADER) {
        // The message's last frame, whole in it: its payload is a view of the message (no copy; the
        // receiver may transfer the message's buffer, nothing after it in the message is read).
        const v = new DataView(bytes.buffer, bytes.byteOffset + off, HEADER);
        const length = v.getUint32(5);
        if (off + HEADER + length === bytes.byteLength) {
          const type = v.getUint8(0);
          if (length > MAX_PAYLOAD(type)) {
            throw new Error(`the gateway sent a frame of ${length} bytes (type ${type})`);
          }
          onFrame(type, v.getUint32(1), bytes.subarray(off + HEADER));
          return;
        }
      }
      if (this.#body === null) {
        const n = Math.min(HEADER - this.#have, bytes.byteLength - off);
        this.#header.set(bytes.subarray(off, off + n), this.#have);
        this.#have += n;
        off += n;
        if (this.#have < HEADER) return;
        const v = new DataView(this.#header.buffer);
        this.#type = v.getUint8(0);
        this.#id = v.getUint32(1);
        const length = v.getUint32(5);
        this.#have = 0;
        if (length > MAX_PAYLOAD(this.#type)) {
          throw new Error(`the gateway sent a frame of ${length} bytes (type ${this.#type})`);
        }
        this.#body = new Uint8Array(length);
        this.#bodyHave = 0;
      }
      const n = Math.min(this.#body.byteLength - this.#bodyHave, bytes.byteLength - off);
      this.#body.set(bytes.subarray(off, off + n), this.#bodyHave);
      this.#bodyHave += n;
      off += n;
      if (this.#bodyHave === this.#body.byteLength) {
        const body = this.#body;
        this.#body = null;
        onFrame(this.#type, this.#id, body);
      }
    }
  }
}
