'use strict';
// The Direct Sockets bridge in headless Chromium (BridgeBrowserIT). The pages are the gateway's own
// (origin http://127.0.0.1:<port>, which etc/org.rawsockets.webbridge.cfg allows) and use the library
// it serves at /direct-sockets/lib/. Steps:
//   tcp-16mib   a TCPSocket to the loopback TCP echo: 16 MiB written, read back (BYOB), SHA-256 equal
//   udp-echo    a connected UDPSocket to the loopback UDP echo
//   refused     a destination without an origin: grant rejects `opened` with NotAllowedError
//   endpoint    new TCPSocket(undefined, undefined, { endpoint: 'bridge-echo' }) echoes through the
//               operator's named endpoint; an endpoint the gateway does not have: NotFoundError
//   stop-reading a TCPSocket to the flood peer (it writes floodBytes): the page reads 1 MiB and stops;
//               the peer sees its writes stall (it writes STALLED/FAIL into the file stalledPath once
//               the page wrote stoppedPath); the console API (GET /api/sockets, apiToken) shows the
//               gateway read at most the page's credit plus the engine's receive bound from the peer;
//               then the page reads the rest, SHA-256 equal to the peer's
//   terminal    demo/terminal.html: connect to the TCP echo, send a line, the reply shows
//   terminal-endpoint the same page by endpoint name (bridge-echo): connected line with the operator's
//               address, a line echoed; then 'no-such-plc': NotFoundError naming it shown to the user
//   modbus      demo/modbus.html: read 10 holding registers of the Modbus server (register i = 3i)
// Prints "STEP name ms [details]" per step and "BROWSER OK" at the end; exits non-zero on a failure.
const fs = require('fs');
const path = require('path');
const { withBrowser } = require(path.join(process.env.BROWSER_TEST_DIR, 'browser.js'));

const [base, token, tcpPort, udpPort, refusedPort, modbusPort, floodPort, floodBytes, floodSha256, stoppedPath, stalledPath,
  apiToken] = process.argv.slice(2);
const shots = process.env.SCREENSHOT_DIR;
const DEADLINE = 120000;
const started = Date.now();
const step = (name, extra) => console.log('STEP ' + name + ' ' + (Date.now() - started) + (extra ? ' ' + extra : ''));

withBrowser(async (context) => {
  const page = await context.newPage();
  page.setDefaultTimeout(DEADLINE);
  page.on('console', (m) => console.log('page: ' + m.text()));
  page.on('pageerror', (e) => console.log('page error: ' + e));
  await page.goto(base + '/direct-sockets/demo/');

  const tcp = await page.evaluate(async ({ token, tcpPort }) => {
    const { configure, TCPSocket } = await import('/direct-sockets/lib/direct-sockets.js');
    const bridge = configure(`ws://${location.host}/direct-sockets`, { token });
    const N = 16 << 20;
    const sent = new Uint8Array(N);
    for (let off = 0; off < N; off += 65536) crypto.getRandomValues(sent.subarray(off, off + 65536));
    const t0 = performance.now();
    const socket = new TCPSocket('127.0.0.1', tcpPort, { noDelay: true });
    const { readable, writable } = await socket.opened;
    const writer = writable.getWriter();
    const writing = (async () => {
      for (let off = 0; off < N; off += 65536) await writer.write(sent.subarray(off, off + 65536));
      await writer.close(); // half-close: the echo answers with its own FIN
    })();
    const reader = readable.getReader({ mode: 'byob' });
    let buf = new ArrayBuffer(N);
    let got = 0;
    while (got < N) {
      const { value, done } = await reader.read(new Uint8Array(buf, got, Math.min(65536, N - got)));
      if (done) break;
      buf = value.buffer;
      got += value.byteLength;
    }
    await writing;
    const end = await reader.read(new Uint8Array(16));
    const millis = performance.now() - t0;
    const hex = async (b) => Array.from(new Uint8Array(await crypto.subtle.digest('SHA-256', b)),
      (x) => x.toString(16).padStart(2, '0')).join('');
    const result = { got, eof: end.done, sent: await hex(sent), received: await hex(new Uint8Array(buf, 0, got)), millis };
    reader.releaseLock();
    writer.releaseLock();
    await socket.closed;
    bridge.close();
    return result;
  }, { token, tcpPort: Number(tcpPort) });
  if (tcp.got !== 16 << 20 || tcp.sent !== tcp.received || !tcp.eof) throw new Error('16 MiB echo: ' + JSON.stringify(tcp));
  step('tcp-16mib', `${(16 / (tcp.millis / 1000)).toFixed(1)} MiB/s each way (${Math.round(tcp.millis)} ms) sha256 ${tcp.received}`);

  const udp = await page.evaluate(async ({ token, udpPort }) => {
    const { configure, UDPSocket } = await import('/direct-sockets/lib/direct-sockets.js');
    const bridge = configure(`ws://${location.host}/direct-sockets`, { token });
    const socket = new UDPSocket({ remoteAddress: '127.0.0.1', remotePort: udpPort });
    const { readable, writable } = await socket.opened;
    const writer = writable.getWriter();
    const reader = readable.getReader();
    await writer.write({ data: new TextEncoder().encode('hello datagram') });
    const { value } = await reader.read();
    reader.releaseLock();
    writer.releaseLock();
    await socket.close();
    bridge.close();
    return new TextDecoder().decode(value.data);
  }, { token, udpPort: Number(udpPort) });
  if (udp !== 'hello datagram') throw new Error('UDP echo answered ' + JSON.stringify(udp));
  step('udp-echo');

  const refused = await page.evaluate(async ({ token, refusedPort }) => {
    const { configure, TCPSocket } = await import('/direct-sockets/lib/direct-sockets.js');
    const bridge = configure(`ws://${location.host}/direct-sockets`, { token });
    try {
      await new TCPSocket('127.0.0.1', refusedPort).opened;
      return { name: 'opened' };
    } catch (e) {
      return { name: e.name, isDomException: e instanceof DOMException, message: e.message };
    } finally {
      bridge.close();
    }
  }, { token, refusedPort: Number(refusedPort) });
  if (refused.name !== 'NotAllowedError' || !refused.isDomException) throw new Error('refused open: ' + JSON.stringify(refused));
  step('refused', refused.message);

  const endpoint = await page.evaluate(async ({ token }) => {
    const { configure, TCPSocket } = await import('/direct-sockets/lib/direct-sockets.js');
    const bridge = configure(`ws://${location.host}/direct-sockets`, { token });
    const socket = new TCPSocket(undefined, undefined, { endpoint: 'bridge-echo' });
    const { readable, writable, remotePort } = await socket.opened;
    const writer = writable.getWriter();
    await writer.write(new TextEncoder().encode('hello endpoint'));
    await writer.close();
    const reader = readable.getReader();
    let text = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      text += new TextDecoder().decode(value);
    }
    reader.releaseLock();
    writer.releaseLock();
    await socket.closed;
    let unknown;
    try {
      await new TCPSocket(undefined, undefined, { endpoint: 'no-such-plc' }).opened;
      unknown = { name: 'opened' };
    } catch (e) {
      unknown = { name: e.name, isDomException: e instanceof DOMException, message: e.message };
    }
    bridge.close();
    return { text, remotePort, unknown };
  }, { token });
  if (endpoint.text !== 'hello endpoint' || endpoint.remotePort !== Number(tcpPort)) throw new Error('endpoint echo: ' + JSON.stringify(endpoint));
  if (endpoint.unknown.name !== 'NotFoundError' || !endpoint.unknown.isDomException
    || !endpoint.unknown.message.includes("'no-such-plc'")) throw new Error('unknown endpoint: ' + JSON.stringify(endpoint.unknown));
  step('endpoint', endpoint.unknown.message);

  // A page that stops reading: the gateway must stop reading from the peer (the peer checks that its
  // writes stall), and once the page reads again every byte arrives.
  const size = Number(floodBytes);
  const first = await page.evaluate(async ({ token, floodPort, size }) => {
    const { configure, TCPSocket } = await import('/direct-sockets/lib/direct-sockets.js');
    const bridge = configure(`ws://${location.host}/direct-sockets`, { token });
    const socket = new TCPSocket('127.0.0.1', floodPort);
    const { readable } = await socket.opened;
    const reader = readable.getReader({ mode: 'byob' });
    let buf = new ArrayBuffer(size);
    let got = 0;
    while (got < (1 << 20)) {
      const { value, done } = await reader.read(new Uint8Array(buf, got, Math.min(65536, size - got)));
      if (done) throw new Error('the flood peer ended after ' + got + ' bytes');
      buf = value.buffer;
      got += value.byteLength;
    }
    window.flood = { bridge, socket, reader, buf, got }; // and no read() until the peer stalled
    return got;
  }, { token, floodPort: Number(floodPort), size });
  fs.writeFileSync(stoppedPath, String(first));
  const until = Date.now() + 360000; // the peer gives up after 300 s and writes FAIL
  while (!fs.existsSync(stalledPath)) {
    if (Date.now() > until) throw new Error('the flood peer wrote neither STALLED nor FAIL within 360 s');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const verdict = fs.readFileSync(stalledPath, 'utf8');
  if (!verdict.startsWith('STALLED ')) throw new Error('flood peer: ' + verdict);
  // What the gateway read from the peer (the console API's bytesIn of the bridged socket): at most the
  // credit the page granted (what it read plus the library's 1 MiB read window) plus what the socket
  // engine buffers unread (its default high-water mark, 256 KiB) and one network read (64 KiB).
  // The rest of what the peer wrote waits in the kernel's socket buffers.
  const api = await fetch(base + '/api/sockets', { headers: { Authorization: 'Bearer ' + apiToken } });
  if (api.status !== 200) throw new Error('GET /api/sockets answered ' + api.status + ': ' + await api.text());
  const bridged = (await api.json()).filter((x) => String(x.remote).endsWith(':' + floodPort) && /for origin /.test(x.owner));
  if (bridged.length !== 1) throw new Error('the bridged socket to the flood peer is not in /api/sockets: ' + JSON.stringify(bridged));
  const bound = first + (1 << 20) + (256 << 10) + (64 << 10);
  const peerWrote = Number(verdict.split(' ')[1]);
  if (bridged[0].bytesIn > bound) {
    throw new Error(`the gateway read ${bridged[0].bytesIn} bytes from the peer, more than the page's credit and the engine's`
      + ` buffer allow (${bound}); the peer wrote ${peerWrote}`);
  }
  const rest = await page.evaluate(async () => {
    const f = window.flood;
    let { buf, got } = f;
    const size = buf.byteLength;
    const t0 = performance.now();
    while (got < size) {
      const { value, done } = await f.reader.read(new Uint8Array(buf, got, Math.min(65536, size - got)));
      if (done) break;
      buf = value.buffer;
      got += value.byteLength;
    }
    const end = await f.reader.read(new Uint8Array(16));
    const millis = performance.now() - t0;
    const sha = Array.from(new Uint8Array(await crypto.subtle.digest('SHA-256', new Uint8Array(buf, 0, got))),
      (x) => x.toString(16).padStart(2, '0')).join('');
    f.reader.releaseLock();
    await f.socket.close();
    f.bridge.close();
    delete window.flood;
    return { got, eof: end.done, sha, millis };
  });
  if (rest.got !== size || !rest.eof || rest.sha !== floodSha256) {
    throw new Error(`after the stall the page read ${rest.got} of ${size} bytes (eof ${rest.eof}), sha256 ${rest.sha},`
      + ` the peer sent ${floodSha256}`);
  }
  step('stop-reading', `page read ${first} bytes and stopped; peer ${verdict}; gateway read ${bridged[0].bytesIn}`
    + ` (bound ${bound}); then ${size - first} bytes in`
    + ` ${Math.round(rest.millis)} ms, sha256 ${rest.sha}`);

  // The demo pages, used as an operator would: fill the form, press the button.
  await page.goto(base + '/direct-sockets/demo/terminal.html');
  await page.fill('#token', token);
  await page.fill('#port', tcpPort);
  await page.click('#connect button');
  await page.waitForFunction(() => document.getElementById('out').textContent.includes('-- connected to 127.0.0.1:'));
  await page.fill('#text', 'hello terminal');
  await page.click('#send');
  await page.waitForFunction(() => document.getElementById('out').textContent.includes('hello terminal\r\n'));
  await page.screenshot({ path: path.join(shots, 'bridge-terminal.png') });
  step('terminal');
  // the same page by endpoint name: host and port give way to the operator's endpoint bridge-echo
  await page.check('#by-endpoint');
  if (!(await page.isDisabled('#host')) || !(await page.isEnabled('#endpoint'))) throw new Error('the endpoint choice left host enabled');
  await page.fill('#endpoint', 'bridge-echo');
  await page.click('#connect button');
  await page.waitForFunction((p) => document.getElementById('out').textContent
    .includes(`-- connected to endpoint bridge-echo (127.0.0.1:${p})`), tcpPort);
  await page.fill('#text', 'hello endpoint terminal');
  await page.click('#send');
  await page.waitForFunction(() => document.getElementById('out').textContent.includes('hello endpoint terminal\r\n'));
  // a name the gateway does not have: the user sees NotFoundError naming it, and what to do
  await page.fill('#endpoint', 'no-such-plc');
  await page.click('#connect button');
  await page.waitForFunction(() => document.getElementById('out').textContent.includes('-- NotFoundError: '));
  const shown = await page.textContent('#out');
  const notFound = shown.slice(shown.indexOf('-- NotFoundError: '));
  if (!notFound.includes("'no-such-plc'") || !notFound.includes('ask the operator') || notFound.includes('bridge-echo')) {
    throw new Error('terminal, unknown endpoint: ' + JSON.stringify(notFound));
  }
  if (!(await page.isDisabled('#text'))) throw new Error('the line field stays enabled after a failed connect');
  await page.screenshot({ path: path.join(shots, 'bridge-terminal-endpoint.png') });
  step('terminal-endpoint', notFound.split('\n')[0]);

  await page.goto(base + '/direct-sockets/demo/modbus.html');
  await page.fill('#token', token);
  await page.fill('#port', modbusPort);
  await page.fill('#address', '4');
  await page.fill('#count', '10');
  await page.click('#f button');
  await page.waitForFunction(() => /read \d+ registers|Error/.test(document.getElementById('status').textContent));
  const status = await page.textContent('#status');
  const cells = await page.$$eval('#registers tbody tr', (rows) => rows.map((r) => Array.from(r.cells, (c) => Number(c.textContent))));
  await page.screenshot({ path: path.join(shots, 'bridge-modbus.png') });
  const want = Array.from({ length: 10 }, (_, i) => [4 + i, 3 * (4 + i)]);
  if (status !== 'read 10 registers' || JSON.stringify(cells) !== JSON.stringify(want)) {
    throw new Error('Modbus page: ' + status + ' ' + JSON.stringify(cells));
  }
  step('modbus', JSON.stringify(cells.map((c) => c[1])));
  console.log('BROWSER OK');
}).catch((e) => {
  console.error(e && e.stack || e);
  process.exit(1);
});
