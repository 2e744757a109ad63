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
  /** Implicit TLS to the remote; trust is the gateway's (JDK trust store or the endpoint's). */
  tls?: 'on' | 'off';
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
}

export class TCPSocket {
  constructor(remoteAddress: string, remotePort: number, options?: TCPSocketOptions);
  /** A named endpoint: `new TCPSocket(undefined, undefined, { endpoint: 'plc1' })`. */
  constructor(remoteAddress: undefined | null, remotePort: undefined | null, options: TCPEndpointSocketOptions);
  readonly opened: Promise<TCPSocketOpenInfo>;
  readonly closed: Promise<void>;
  close(): Promise<void>;
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
