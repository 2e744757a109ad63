// Option checks: what the gateway would refuse is a TypeError at once, as in Direct Sockets.
const isInt = (v) => Number.isInteger(v);

function check(cond, message) {
  if (!cond) throw new TypeError(message);
}

function common(o, lines) {
  for (const k of ['sendBufferSize', 'receiveBufferSize']) {
    if (o[k] !== undefined) {
      check(isInt(o[k]) && o[k] > 0 && o[k] <= 16 << 20, `${k} must be an integer within 1..16777216, was ${o[k]}`);
      lines.push(`${k}=${o[k]}`);
    }
  }
  if (o.dnsQueryType !== undefined) {
    check(o.dnsQueryType === 'ipv4' || o.dnsQueryType === 'ipv6', `dnsQueryType must be "ipv4" or "ipv6", was ${o.dnsQueryType}`);
    lines.push(`dnsQueryType=${o.dnsQueryType}`);
  }
}

function destination(remoteAddress, remotePort, o, lines) {
  // A named endpoint: the operator supplies the address (remoteAddress and remotePort omitted,
  // undefined or null); the gateway rejects opened with NotFoundError when it has no such endpoint.
  if (o.endpoint !== undefined && o.endpoint !== null) {
    check(typeof o.endpoint === 'string' && /^[^\s=]{1,128}$/.test(o.endpoint),
      `endpoint must name an endpoint the operator configured (1..128 characters, no spaces), was ${o.endpoint}`);
    check(remoteAddress == null && remotePort == null,
      'give either an endpoint or remoteAddress and remotePort, not both (with an endpoint the operator supplies the address)');
    lines.push(`endpoint=${o.endpoint}`);
    return;
  }
  check(typeof remoteAddress === 'string' && remoteAddress.length > 0 && !/[\s=]/.test(remoteAddress),
    `remoteAddress must be a host name or IP address (or omit it and give options.endpoint, a named endpoint), was ${remoteAddress}`);
  check(isInt(remotePort) && remotePort >= 1 && remotePort <= 65535, `remotePort must be an integer within 1..65535, was ${remotePort}`);
  lines.push(`remoteAddress=${remoteAddress}`, `remotePort=${remotePort}`);
}

/** A checked TLS server name (SNI and the name the certificate must match). */
export function serverName(name) {
  check(typeof name === 'string' && /^[A-Za-z0-9.-]{1,253}$/.test(name), `serverName must be a host name, was ${name}`);
  return name;
}

/** The STARTTLS frame's text: empty, or serverName=host. */
export function startTlsOptions(o = {}) {
  check(o !== null && typeof o === 'object', 'startTls() options must be an object');
  for (const k of Object.keys(o)) check(k === 'serverName', `startTls() takes only serverName, not ${k} (trust is the operator's)`);
  return o.serverName === undefined ? '' : `serverName=${serverName(o.serverName)}\n`;
}

/** The OPEN_TCP options text. */
export function tcpOptions(remoteAddress, remotePort, o = {}) {
  check(o !== null && typeof o === 'object', 'options must be an object');
  const lines = [];
  destination(remoteAddress, remotePort, o, lines);
  if (o.noDelay !== undefined) {
    check(typeof o.noDelay === 'boolean', `noDelay must be a boolean, was ${o.noDelay}`);
    lines.push(`noDelay=${o.noDelay}`);
  }
  if (o.keepAliveDelay !== undefined) {
    check(isInt(o.keepAliveDelay) && o.keepAliveDelay >= 1000, `keepAliveDelay must be at least 1000 ms, was ${o.keepAliveDelay}`);
    lines.push(`keepAliveDelay=${o.keepAliveDelay}`);
  }
  if (o.connectTimeout !== undefined) {
    check(isInt(o.connectTimeout) && o.connectTimeout >= 1 && o.connectTimeout <= 600000,
      `connectTimeout must be within 1..600000 ms, was ${o.connectTimeout}`);
    lines.push(`connectTimeout=${o.connectTimeout}`);
  }
  common(o, lines);
  const tls = o.tls ?? 'off';
  check(tls === 'off' || tls === 'on' || tls === 'starttls', `tls must be "off", "on" or "starttls", was ${tls}`);
  if (tls !== 'off') {
    lines.push(`tls=${tls}`);
    if (o.serverName !== undefined) {
      lines.push(`serverName=${serverName(o.serverName)}`);
    }
    if (o.alpn !== undefined) {
      check(Array.isArray(o.alpn) && o.alpn.length > 0 && o.alpn.every((p) => typeof p === 'string' && /^[\x21-\x7e]+$/.test(p) && !p.includes(',')),
        'alpn must be a non-empty array of protocol names such as ["h2", "http/1.1"]');
      lines.push(`alpn=${o.alpn.join(',')}`);
    }
  } else {
    check(o.serverName === undefined && o.alpn === undefined, 'serverName and alpn need tls: "on" or "starttls"');
  }
  return lines.join('\n') + '\n';
}

/** The OPEN_UDP options text. */
export function udpOptions(o = {}) {
  check(o !== null && typeof o === 'object', 'options must be an object');
  const lines = [];
  const bound = o.localAddress !== undefined;
  if (bound) {
    check(o.remoteAddress === undefined && o.remotePort === undefined && o.endpoint === undefined,
      'a UDPSocket is connected (remoteAddress, remotePort) or bound (localAddress, localPort), not both');
    check(typeof o.localAddress === 'string' && o.localAddress.length > 0, `localAddress must be an IP address, was ${o.localAddress}`);
    const port = o.localPort ?? 0;
    check(isInt(port) && port >= 0 && port <= 65535, `localPort must be an integer within 0..65535, was ${o.localPort}`);
    lines.push(`localAddress=${o.localAddress}`, `localPort=${port}`);
  } else {
    // the gateway would ignore it: a connected socket's local port is the system's choice
    check(o.localPort === undefined, `localPort needs localAddress (a bound UDPSocket), was ${o.localPort} on a connected one`);
    destination(o.remoteAddress, o.remotePort, o, lines);
  }
  common(o, lines);
  return lines.join('\n') + '\n';
}

/** The OPEN_TCP_SERVER options text. */
export function serverOptions(localAddress, o = {}) {
  check(o !== null && typeof o === 'object', 'options must be an object');
  check(typeof localAddress === 'string' && localAddress.length > 0, `localAddress must be an IP address, was ${localAddress}`);
  const port = o.localPort ?? 0;
  check(isInt(port) && port >= 0 && port <= 65535, `localPort must be an integer within 0..65535, was ${o.localPort}`);
  const lines = [`localAddress=${localAddress}`, `localPort=${port}`];
  if (o.backlog !== undefined) {
    check(isInt(o.backlog) && o.backlog >= 1 && o.backlog <= 4096, `backlog must be within 1..4096, was ${o.backlog}`);
    lines.push(`backlog=${o.backlog}`);
  }
  return lines.join('\n') + '\n';
}
