// Types of @rawsockets/direct-sockets: the WICG Direct Sockets shapes, through a Raw Sockets gateway.

interface BridgeOptionsBase {
  /** The operator-issued client token (sent as the WebSocket subprotocol `bearer.<token>`). */
  token?: string;
}

/** The page's WebSocket (or one like it), called as `new WebSocket(url, protocols)`. */
export interface WebSocketBridgeOptions extends BridgeOptionsBase {
  /**
   * Another WebSocket implementation (default: globalThis.WebSocket). Its `send()` must take a copy of
   * the bytes when called, as the WHATWG WebSocket does: the library reuses its frame buffer.
   */
  WebSocket?: new (url: string, protocols: string[]) => WebSocket;
  webSocketOptions?: undefined;
}

/**
 * A WebSocket implementation that takes constructor options, called as
 * `new WebSocket(url, { ...webSocketOptions, protocols })` (e.g. Node's `{ headers }`).
 */
export interface WebSocketOptionsBridgeOptions extends BridgeOptionsBase {
  /** The implementation (default: globalThis.WebSocket, e.g. Node's); its `send()` copies the bytes when called. */
  WebSocket?: new (url: string, options: { protocols: string[] } & Record<string, unknown>) => WebSocket;
  /** Its constructor options; `protocols` is added. */
  webSocketOptions: Record<string, unknown>;
}

export type BridgeOptions = WebSocketBridgeOptions | WebSocketOptionsBridgeOptions;

/**
 * The `DOMException` names that `opened`, `closed`, `startTls()` and the streams reject with, as in
 * Direct Sockets (`NotFoundError`: a named endpoint the gateway does not have). Invalid options are
 * a plain `TypeError`, thrown by the constructor or rejected by the gateway.
 */
export type DirectSocketsErrorName = 'NotAllowedError' | 'NetworkError' | 'TimeoutError' | 'InvalidStateError' | 'NotFoundError';

/** What kind of network failure a `NetworkError` from the gateway was (the socket API's NetworkException.Reason). */
export type NetworkErrorReason = 'DNS' | 'REFUSED' | 'UNREACHABLE' | 'RESET' | 'CLOSED_BY_PEER' | 'TLS_CERTIFICATE'
  | 'TLS_PROTOCOL' | 'LOCAL_ADDRESS' | 'UNAVAILABLE' | 'OTHER';

/**
 * An error of a socket: a `DOMException`; a `NetworkError` the gateway reported carries `reason`
 * (a lost or refused bridge connection has none).
 */
export interface DirectSocketsError extends DOMException {
  readonly name: DirectSocketsErrorName;
  readonly reason?: NetworkErrorReason;
}

/** One WebSocket to the gateway's bridge, carrying any number of sockets. */
export class DirectSocketsBridge {
  constructor(url: string, options?: BridgeOptions);
  /** Resolves when connected; rejects (NetworkError, NotAllowedError) when refused or closed. */
  readonly ready: Promise<DirectSocketsBridge>;
  readonly socketCount: number;
  close(): void;
}

/** Sets the bridge sockets use when their options name none. */
export function configure(url: string | DirectSocketsBridge, options?: BridgeOptions): DirectSocketsBridge;

/** Options every socket takes. */
export interface SocketOptionsBase {
  /** The bridge to use (default: the one given to configure()). */
  bridge?: DirectSocketsBridge;
  /** Bytes, 1..16777216. */
  sendBufferSize?: number;
  /** Bytes, 1..16777216. */
  receiveBufferSize?: number;
  dnsQueryType?: 'ipv4' | 'ipv6';
}

/** The TCP options of an address and of a named endpoint alike. */
export interface TCPSocketOptionsBase extends SocketOptionsBase {
  noDelay?: boolean;
  /** Milliseconds, at least 1000. */
  keepAliveDelay?: number;
  /** Milliseconds, 1..600000. */
  connectTimeout?: number;
  /**
   * `'on'`: implicit TLS to the remote; `'starttls'`: plain until {@link TCPSocket.startTls}. Trust is
   * the gateway's (JDK trust store or the endpoint's), never the page's. Default `'off'`.
   */
  tls?: 'on' | 'off' | 'starttls';
  /** SNI and the certificate's expected name; needs `tls: 'on'` or `'starttls'`. */
  serverName?: string;
  /** ALPN protocol names, e.g. `['h2', 'http/1.1']`; needs `tls: 'on'` or `'starttls'`. */
  alpn?: string[];
}

/** Options of a TCP socket to an address: `new TCPSocket(remoteAddress, remotePort, options)`. */
export interface TCPSocketOptions extends TCPSocketOptionsBase {
  /** Not with an address: a named endpoint is `new TCPSocket(undefined, undefined, { endpoint })`. */
  endpoint?: undefined | null;
}

/**
 * Options of a TCP socket to a named endpoint: the operator configured its address, port and TLS
 * trust (etc/org.rawsockets.socket.endpoint-<name>.cfg). `opened` rejects with `NotFoundError` when
 * the gateway has no endpoint of that name, `NotAllowedError` when the page's origin is not granted
 * its destination.
 */
export interface TCPEndpointSocketOptions extends TCPSocketOptionsBase {
  /** The endpoint's name: 1..128 characters, no white space, no `=`. */
  endpoint: string;
}

export interface TCPSocketOpenInfo {
  readable: ReadableStream<Uint8Array>;
  writable: WritableStream<BufferSource>;
  remoteAddress: string;
  remotePort: number;
  localAddress: string;
  localPort: number;
  /** With `tls: 'on'` (and after startTls()): e.g. `TLSv1.3`. */
  tlsProtocol?: string;
  tlsCipherSuite?: string;
  alpnProtocol?: string;
}

/** What {@link TCPSocket.startTls} resolves with: new streams carrying the TLS connection. */
export interface TCPSocketTlsInfo extends TCPSocketOpenInfo {
  tlsProtocol: string;
  tlsCipherSuite: string;
}

export interface StartTlsOptions {
  /** SNI and the certificate's expected name; not with a named endpoint (the operator's). */
  serverName?: string;
}

export class TCPSocket {
  constructor(remoteAddress: string, remotePort: number, options?: TCPSocketOptions);
  /** A named endpoint: `new TCPSocket(undefined, undefined, { endpoint: 'plc1' })`. */
  constructor(remoteAddress: undefined | null, remotePort: undefined | null, options: TCPEndpointSocketOptions);
  readonly opened: Promise<TCPSocketOpenInfo>;
  readonly closed: Promise<void>;
  close(): Promise<void>;
  /**
   * Upgrades a `tls: 'starttls'` socket in place after the protocol agreed; needs the reader and
   * writer released and every write finished. The old writable errors; the old readable keeps the
   * plain bytes read before the switch, then closes. Rejects with `NetworkError` (`reason`
   * `TLS_CERTIFICATE`, `TLS_PROTOCOL`, ...) and the socket closes; `InvalidStateError` when the
   * socket cannot upgrade now (nothing changes then); `TypeError` for bad options.
   */
  startTls(options?: StartTlsOptions): Promise<TCPSocketTlsInfo>;
}

/** A connected UDP socket to an address: datagrams go to and come from that address only. */
export interface UDPConnectedSocketOptions extends SocketOptionsBase {
  remoteAddress: string;
  /** 1..65535. */
  remotePort: number;
  endpoint?: undefined | null;
  localAddress?: undefined;
  localPort?: undefined;
}

/** A connected UDP socket to a named endpoint (instead of remoteAddress/remotePort); see TCPEndpointSocketOptions. */
export interface UDPEndpointSocketOptions extends SocketOptionsBase {
  endpoint: string;
  remoteAddress?: undefined | null;
  remotePort?: undefined | null;
  localAddress?: undefined;
  localPort?: undefined;
}

/** A bound UDP socket: each written UDPMessage names its destination, each read one its sender. */
export interface UDPBoundSocketOptions extends SocketOptionsBase {
  localAddress: string;
  /** 0..65535; 0 or omitted: any free port. */
  localPort?: number;
  remoteAddress?: undefined;
  remotePort?: undefined;
  endpoint?: undefined;
}

/** A UDPSocket is connected (an address or a named endpoint) or bound, never both. */
export type UDPSocketOptions = UDPConnectedSocketOptions | UDPEndpointSocketOptions | UDPBoundSocketOptions;

/** A datagram; remoteAddress and remotePort (together) only on a bound socket. */
export interface UDPMessage {
  data: BufferSource;
  remoteAddress?: string;
  remotePort?: number;
}

/** A received datagram: the bytes, and on a bound socket the sender. */
export interface UDPReceivedMessage {
  data: Uint8Array;
  remoteAddress?: string;
  remotePort?: number;
}

export interface UDPSocketOpenInfo {
  readable: ReadableStream<UDPReceivedMessage>;
  writable: WritableStream<UDPMessage>;
  remoteAddress?: string;
  remotePort?: number;
  localAddress: string;
  localPort: number;
}

export class UDPSocket {
  constructor(options: UDPSocketOptions);
  readonly opened: Promise<UDPSocketOpenInfo>;
  readonly closed: Promise<void>;
  close(): Promise<void>;
}

export interface TCPServerSocketOptions {
  bridge?: DirectSocketsBridge;
  localPort?: number;
  backlog?: number;
}

export interface TCPServerSocketOpenInfo {
  readable: ReadableStream<TCPSocket>;
  localAddress: string;
  localPort: number;
}

export class TCPServerSocket {
  constructor(localAddress: string, options?: TCPServerSocketOptions);
  readonly opened: Promise<TCPServerSocketOpenInfo>;
  readonly closed: Promise<void>;
  close(): Promise<void>;
}
