// Types of @rawsockets/direct-sockets: the WICG Direct Sockets shapes, through a Raw Sockets gateway.

export interface BridgeOptions {
  /** The operator-issued client token (sent as the WebSocket subprotocol `bearer.<token>`). */
  token?: string;
  /** Another WebSocket implementation (default: globalThis.WebSocket). */
  WebSocket?: new (url: string, protocols?: string | string[] | object) => WebSocket;
  /** Constructor options of that implementation (e.g. Node's `{ headers }`); `protocols` is added. */
  webSocketOptions?: Record<string, unknown>;
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

interface SocketOptionsBase {
  /** The bridge to use (default: the one given to configure()). */
  bridge?: DirectSocketsBridge;
  sendBufferSize?: number;
  receiveBufferSize?: number;
  dnsQueryType?: 'ipv4' | 'ipv6';
}

export interface TCPSocketOptions extends SocketOptionsBase {
  noDelay?: boolean;
  /** Milliseconds, at least 1000. */
  keepAliveDelay?: number;
  /** Milliseconds, 1..600000. */
  connectTimeout?: number;
  /**
   * `'on'`: implicit TLS to the remote; `'starttls'`: plain until {@link TCPSocket.startTls}. Trust is
   * the gateway's (JDK trust store or the endpoint's), never the page's.
   */
  tls?: 'on' | 'off' | 'starttls';
  serverName?: string;
  alpn?: string[];
}

/**
 * Options of a TCP socket to a named endpoint: the operator configured its address, port and TLS
 * trust (etc/org.rawsockets.socket.endpoint-<name>.cfg). `opened` rejects with `NotFoundError` when
 * the gateway has no endpoint of that name, `NotAllowedError` when the page's origin is not granted
 * its destination.
 */
export interface TCPEndpointSocketOptions extends TCPSocketOptions {
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

export interface UDPSocketOptions extends SocketOptionsBase {
  remoteAddress?: string;
  remotePort?: number;
  localAddress?: string;
  localPort?: number;
  /** A named endpoint (connected mode; instead of remoteAddress/remotePort); see TCPEndpointSocketOptions. */
  endpoint?: string;
}

export interface UDPMessage {
  data: BufferSource;
  remoteAddress?: string;
  remotePort?: number;
}

export interface UDPSocketOpenInfo {
  readable: ReadableStream<UDPMessage & { data: Uint8Array }>;
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
