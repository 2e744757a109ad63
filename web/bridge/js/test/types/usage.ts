// What a TypeScript page writes with @rawsockets/direct-sockets: compiled (never run) by
// `tsc -p test/types --noEmit --strict` (TypeScriptDeclarationsTest). Every `@ts-expect-error` line is
// wrong usage the declarations must refuse: if one compiled, tsc would report the unused directive.
import {
  configure, DirectSocketsBridge, TCPSocket, TCPServerSocket, UDPSocket,
  type BridgeOptions, type DirectSocketsError, type NetworkErrorReason, type TCPEndpointSocketOptions,
  type TCPSocketOpenInfo, type TCPSocketOptions, type TCPSocketTlsInfo, type UDPMessage, type UDPSocketOptions,
} from '@rawsockets/direct-sockets';

const bytes = new TextEncoder();
const text = new TextDecoder();

export async function bridges(): Promise<DirectSocketsBridge> {
  const options: BridgeOptions = { token: 'a-token-of-the-operator', webSocketOptions: { headers: { Origin: 'https://hmi' } } };
  const bridge = configure('wss://gateway.example.com/direct-sockets', options);
  const ready: DirectSocketsBridge = await bridge.ready;
  const other = new DirectSocketsBridge('ws://127.0.0.1:8080/direct-sockets', { WebSocket });
  configure(other);
  const count: number = ready.socketCount + other.socketCount;
  other.close();
  // @ts-expect-error the URL is a string
  configure(new URL('wss://gateway.example.com/direct-sockets'));
  // @ts-expect-error the token is the operator's string
  new DirectSocketsBridge('ws://127.0.0.1/direct-sockets', { token: 42 });
  // @ts-expect-error socketCount is read-only
  bridge.socketCount = count;
  return bridge;
}

export async function tcpEcho(bridge: DirectSocketsBridge): Promise<string> {
  const options: TCPSocketOptions = {
    bridge, noDelay: true, keepAliveDelay: 30000, connectTimeout: 5000, sendBufferSize: 65536,
    receiveBufferSize: 65536, dnsQueryType: 'ipv4',
  };
  const socket = new TCPSocket('plc1.local', 502, options);
  const info: TCPSocketOpenInfo = await socket.opened;
  const { readable, writable, remoteAddress, remotePort, localAddress, localPort } = info;
  const where: string = `${remoteAddress}:${remotePort} from ${localAddress}:${localPort}`;
  const tlsProtocol: string | undefined = info.tlsProtocol;

  const writer = writable.getWriter();
  await writer.write(bytes.encode('hello'));
  await writer.write(new ArrayBuffer(8));
  await writer.write(new DataView(new ArrayBuffer(4)));
  // @ts-expect-error the writable takes bytes (BufferSource), not text
  await writer.write('hello');
  await writer.close(); // half-close (FIN)
  writer.releaseLock();

  // a byte stream: BYOB readers work, into the page's own buffer
  const byob = readable.getReader({ mode: 'byob' });
  let buffer = new ArrayBuffer(65536);
  const r = await byob.read(new Uint8Array(buffer, 0, 1024));
  if (!r.done) buffer = r.value.buffer;
  byob.releaseLock();
  const reader = readable.getReader();
  let reply = '';
  for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
    const value: Uint8Array = chunk.value;
    reply += text.decode(value, { stream: true });
  }
  reader.releaseLock();

  await socket.close();
  const closed: void = await socket.closed;
  // @ts-expect-error opened is read-only
  socket.opened = Promise.reject(new Error('no'));
  // @ts-expect-error the port is a number
  new TCPSocket('plc1.local', '502');
  // @ts-expect-error the address is required (or an endpoint, with undefined address and port)
  new TCPSocket();
  // @ts-expect-error tls is 'on', 'off' or 'starttls'
  new TCPSocket('plc1.local', 502, { tls: true });
  // @ts-expect-error dnsQueryType is 'ipv4' or 'ipv6'
  new TCPSocket('plc1.local', 502, { dnsQueryType: 'any' });
  // @ts-expect-error unknown option (a typo of noDelay)
  new TCPSocket('plc1.local', 502, { nodelay: true });
  // @ts-expect-error TCPSocket has no send(): write to opened's writable
  socket.send(bytes.encode('x'));
  return `${where} ${tlsProtocol ?? 'plain'} ${buffer.byteLength} ${reply} ${closed}`;
}

export async function namedEndpoints(bridge: DirectSocketsBridge): Promise<number> {
  const options: TCPEndpointSocketOptions = { bridge, endpoint: 'plc1', noDelay: true };
  const plc = new TCPSocket(undefined, undefined, options);
  const viaNull = new TCPSocket(null, null, { endpoint: 'mail', tls: 'starttls' });
  const { remotePort } = await plc.opened; // the address the operator configured
  await Promise.all([plc.close(), viaNull.close()]);
  // @ts-expect-error an endpoint and an address together
  new TCPSocket('10.0.0.17', 502, { endpoint: 'plc1' });
  // @ts-expect-error without an address the endpoint is required
  new TCPSocket(undefined, undefined, { noDelay: true });
  // @ts-expect-error without an address the endpoint is required, options and all
  new TCPSocket(undefined, undefined);
  // @ts-expect-error an options variable with an endpoint does not go with an address either
  new TCPSocket('10.0.0.17', 502, options);
  return remotePort;
}

export async function startTls(bridge: DirectSocketsBridge): Promise<string> {
  const socket = new TCPSocket('mail.example.com', 587, { bridge, tls: 'starttls', serverName: 'mail.example.com', alpn: ['smtp'] });
  const plain = await socket.opened;
  const upgraded: TCPSocketTlsInfo = await socket.startTls({ serverName: 'mail.example.com' });
  await socket.startTls();
  const implicit = new TCPSocket('mail.example.com', 465, { tls: 'on', alpn: ['h2', 'http/1.1'] });
  // @ts-expect-error the trust is the operator's: startTls() takes only serverName
  await socket.startTls({ caCertificates: '-----BEGIN CERTIFICATE-----' });
  // @ts-expect-error alpn is a list of protocol names
  new TCPSocket('mail.example.com', 465, { tls: 'on', alpn: 'h2' });
  await implicit.close();
  const protocol: string = upgraded.tlsProtocol; // always there after startTls()
  return `${plain.remotePort} ${protocol} ${upgraded.tlsCipherSuite} ${upgraded.alpnProtocol ?? ''}`;
}

export async function udp(bridge: DirectSocketsBridge): Promise<number> {
  // connected to an address
  const connected = new UDPSocket({ bridge, remoteAddress: '127.0.0.1', remotePort: 5353, receiveBufferSize: 65536 });
  const c = await connected.opened;
  const writer = c.writable.getWriter();
  await writer.write({ data: bytes.encode('hello datagram') });
  // @ts-expect-error a UDP writable takes UDPMessage objects, not bytes
  await writer.write(bytes.encode('hello'));
  writer.releaseLock();
  const reader = c.readable.getReader();
  const got = await reader.read();
  const data: Uint8Array | undefined = got.value?.data;
  reader.releaseLock();
  const remote: string | undefined = c.remoteAddress;

  // connected to a named endpoint
  const named = new UDPSocket({ endpoint: 'udp-echo' });
  // bound: each message names its peer
  const boundOptions: UDPSocketOptions = { bridge, localAddress: '127.0.0.1', localPort: 0 };
  const bound = new UDPSocket(boundOptions);
  const b = await bound.opened;
  const message: UDPMessage = { data: new Uint8Array([1, 2, 3]), remoteAddress: '127.0.0.1', remotePort: 9 };
  const bw = b.writable.getWriter();
  await bw.write(message);
  bw.releaseLock();
  const br = b.readable.getReader();
  const from = await br.read();
  if (!from.done) {
    const sender: string | undefined = from.value.remoteAddress;
    const port: number | undefined = from.value.remotePort;
    void [sender, port];
  }
  br.releaseLock();
  await Promise.all([connected.close(), named.close(), bound.close()]);
  await bound.closed;

  // @ts-expect-error a UDPSocket needs options: connected or bound
  new UDPSocket();
  // @ts-expect-error connected and bound at once
  new UDPSocket({ remoteAddress: '127.0.0.1', remotePort: 53, localAddress: '0.0.0.0' });
  // @ts-expect-error an endpoint is connected mode: not with localAddress
  new UDPSocket({ endpoint: 'udp-echo', localAddress: '127.0.0.1' });
  // @ts-expect-error an endpoint and an address together
  new UDPSocket({ endpoint: 'udp-echo', remoteAddress: '127.0.0.1', remotePort: 53 });
  // @ts-expect-error a connected socket's local port is the system's choice
  new UDPSocket({ remoteAddress: '127.0.0.1', remotePort: 53, localPort: 5000 });
  // @ts-expect-error the remote port goes with the remote address
  new UDPSocket({ remoteAddress: '127.0.0.1' });
  // @ts-expect-error TCP options are not UDP options
  new UDPSocket({ remoteAddress: '127.0.0.1', remotePort: 53, noDelay: true });
  return (data?.byteLength ?? 0) + (remote?.length ?? 0) + b.localPort;
}

export async function server(bridge: DirectSocketsBridge): Promise<string[]> {
  const listener = new TCPServerSocket('127.0.0.1', { bridge, localPort: 0, backlog: 16 });
  const { readable, localAddress, localPort } = await listener.opened;
  const accepted = readable.getReader();
  const peers: string[] = [`${localAddress}:${localPort}`];
  const next = await accepted.read();
  if (!next.done) {
    const connection: TCPSocket = next.value;
    const { remoteAddress, remotePort, writable } = await connection.opened;
    peers.push(`${remoteAddress}:${remotePort}`);
    const w = writable.getWriter();
    await w.write(bytes.encode('welcome\r\n'));
    w.releaseLock();
    await connection.close();
  }
  accepted.releaseLock();
  await listener.close();
  // @ts-expect-error a server socket needs its local address
  new TCPServerSocket();
  // @ts-expect-error a server socket has no noDelay (its connections are TCPSockets)
  new TCPServerSocket('127.0.0.1', { noDelay: true });
  // @ts-expect-error a server socket has no writable
  (await listener.opened).writable;
  return peers;
}

export async function errors(bridge: DirectSocketsBridge): Promise<string> {
  try {
    await new TCPSocket('10.0.0.99', 502, { bridge }).opened;
    return 'open';
  } catch (e) {
    if (e instanceof TypeError) return `bad options: ${e.message}`;
    const error = e as DirectSocketsError;
    switch (error.name) {
      case 'NotAllowedError':
        return `the operator did not grant it: ${error.message}`;
      case 'NotFoundError':
        return 'no such endpoint';
      case 'NetworkError': {
        const reason: NetworkErrorReason | undefined = error.reason;
        return reason === 'REFUSED' || reason === 'DNS' ? 'retry later' : `network: ${reason ?? 'bridge lost'}`;
      }
      case 'TimeoutError':
      case 'InvalidStateError':
        return error.name;
      // @ts-expect-error not a name the library rejects with (it maps ProtocolError to NetworkError)
      case 'ProtocolError':
        return 'never';
      default: {
        const none: never = error.name;
        return none;
      }
    }
  } finally {
    const e = {} as DirectSocketsError;
    // @ts-expect-error not a NetworkException.Reason
    if (e.reason === 'CONNECTION_REFUSED') throw e;
    // @ts-expect-error the reason is read-only
    e.reason = 'DNS';
  }
}
