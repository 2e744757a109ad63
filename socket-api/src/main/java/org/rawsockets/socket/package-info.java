/**
 * Raw Sockets: direct TCP and UDP for OSGi bundles, the Java translation of the WICG
 * <a href="https://wicg.github.io/direct-sockets/">Direct Sockets</a> API.
 *
 * <h2>Entry point</h2>
 * {@link org.rawsockets.socket.SocketService} is registered with bundle scope: every bundle that
 * gets it receives its own instance, and everything that instance opened is closed when the
 * bundle ungets the service or stops. A policy decides which bundle may reach which destination;
 * a refused open fails {@code opened()} with {@link org.rawsockets.socket.NotAllowedException}
 * before any packet leaves the machine.
 *
 * <h2>Threads</h2>
 * Unless a method says otherwise:
 * <ul>
 * <li>Methods of this API never block; they return at once, often with a pending
 * {@link java.util.concurrent.CompletionStage}.</li>
 * <li>Stages are completed by an I/O thread of the implementation. Dependent actions attached with
 * the non-{@code Async} methods ({@code thenApply}, {@code whenComplete}, ...) run on that I/O
 * thread when the stage is not yet complete: keep them short and never block in them. Use the
 * {@code ...Async(fn, executor)} variants for blocking work.</li>
 * <li>The blocking views ({@link org.rawsockets.socket.TcpReadable#inputStream(java.time.Duration)},
 * {@link org.rawsockets.socket.TcpWritable#outputStream(java.time.Duration)}) must never be used on
 * an I/O thread: it would wait for the very thread that has to make progress. Implementations
 * detect it and throw {@link java.lang.IllegalStateException} instead of deadlocking.</li>
 * </ul>
 *
 * <h2>Reading into your own buffer, time limits, framing</h2>
 * {@link org.rawsockets.socket.TcpReadable#readInto(java.nio.ByteBuffer, int)} reads into the caller's
 * buffer (bring your own buffer, as a WHATWG byte stream's BYOB reader): one read pending, the buffer
 * is the caller's again when the stage settles and never written after, and it is one more
 * consumption style under the reader lock of {@link org.rawsockets.socket.ReadableStream}.
 * {@link org.rawsockets.socket.TcpReadable#readInto(java.nio.ByteBuffer, int, java.time.Duration)} and
 * {@link org.rawsockets.socket.TcpReadable#read(java.time.Duration)} limit one read's wait
 * ({@link org.rawsockets.socket.TimedOutException}, the stream stays usable);
 * {@link org.rawsockets.socket.TcpSocketOptions#idleTimeout()} closes a socket on which nothing moves.
 * {@link org.rawsockets.socket.FrameReader} reads frames of a known length or up to a delimiter with
 * a maximum length ({@link org.rawsockets.socket.FrameTooLongException}) over {@code readInto}, and
 * messages of several delimited frames ({@code readFrames}: frames to a handler until it has one).
 *
 * <h2>Libraries that take a socket factory</h2>
 * {@link org.rawsockets.socket.SocketService#socketFactory(org.rawsockets.socket.TcpSocketOptions)} and
 * {@link org.rawsockets.socket.SocketService#sslSocketFactory(org.rawsockets.socket.TcpSocketOptions)} hand a Java network
 * library (an MQTT, HTTP or JDBC client) {@link javax.net.SocketFactory} and
 * {@link javax.net.ssl.SSLSocketFactory} views of the bundle's service: their sockets are
 * {@link java.net.Socket}s backed by the bundle's own {@link org.rawsockets.socket.TcpSocket}s, so the
 * policy, the quotas and the clean-up when the bundle stops apply to the library as well. Their
 * blocking calls follow the rules of the blocking views above.
 *
 * <h2>Errors</h2>
 * Invalid arguments fail synchronously with {@link java.lang.IllegalArgumentException} naming the
 * argument and the rule. Everything that goes wrong at run time fails a stage (or a blocking call)
 * with a {@link org.rawsockets.socket.RawSocketException} subtype whose message names the destination
 * and the reason. A {@link org.rawsockets.socket.NetworkException} also says what kind of failure it
 * was ({@link org.rawsockets.socket.NetworkException#reason()}: DNS, refused, unreachable, reset,
 * closed by the peer, TLS certificate, TLS protocol, ...), so a protocol can decide whether to retry
 * without parsing the message.
 *
 * <h2>Sockets for web pages</h2>
 * {@link org.rawsockets.socket.OriginSocketServices} (API 1.2.0) gives a bundle that bridges web
 * pages (the Direct Sockets bridge) a socket service per page origin: the policy then grants and
 * counts quotas per origin ({@code origin:https://...} grants), not per bridge.
 *
 * <h2>TLS sessions</h2>
 * An implementation may resume an earlier TLS session with the same server (same host, port and
 * trust and key material) instead of a full handshake; {@link org.rawsockets.socket.TlsInfo#resumed()}
 * tells which it was. {@link org.rawsockets.socket.SocketAdmin#tls(long)} (API 1.3.0) gives operator
 * tools what a socket's handshake negotiated.
 *
 * <h2>Destinations reached through another socket</h2>
 * {@link org.rawsockets.socket.SocketService#checkTcp(String, int, org.rawsockets.socket.DnsQueryType)}
 * (API 1.3.0) asks the policy whether the bundle may reach a TCP destination without opening a
 * socket to it: for a final target reached through a bastion or proxy, so that the operator's grant
 * names it too. A refusal is audited as a refused open.
 *
 * <h2>Local end of a TCP connection</h2>
 * {@link org.rawsockets.socket.TcpSocketOptions.Builder#localAddress(String)} and
 * {@link org.rawsockets.socket.TcpSocketOptions.Builder#localPorts(int, int)} (API 1.4.0) bind the
 * local address and a port of a range before connecting, for protocols that authenticate clients by
 * a reserved source port (LPD, RFC 1179). The policy checks the local port as a {@code tcp-bind}
 * access besides the destination.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.4.0")
package org.rawsockets.socket;
