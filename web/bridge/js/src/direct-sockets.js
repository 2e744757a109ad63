// Direct Sockets for any web page, through a Raw Sockets gateway (docs/direct-sockets-bridge.md).
// No runtime dependencies; ES module. Where a browser has native Direct Sockets (Isolated Web Apps),
// a page may prefer them: `const TCP = globalThis.TCPSocket ?? TCPSocket`.
export { DirectSocketsBridge, configure } from './bridge.js';
export { TCPSocket } from './tcp.js';
export { UDPSocket } from './udp.js';
export { TCPServerSocket } from './server.js';
