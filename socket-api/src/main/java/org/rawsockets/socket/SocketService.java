package org.rawsockets.socket;

import java.util.List;

import javax.net.SocketFactory;
import javax.net.ssl.SSLSocketFactory;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Opens TCP sockets, UDP sockets and TCP server sockets on behalf of one bundle.
 *
 * <p>The service is registered with bundle scope. The instance a bundle holds belongs to that
 * bundle: the policy is checked against it, quotas are counted against it, and every socket it
 * opened is closed (and every pending open failed with {@link SocketClosedException}) when the
 * bundle releases the service or stops.
 *
 * <p>Every {@code open...}/{@code listen...} method validates its arguments synchronously
 * ({@link IllegalArgumentException} naming the option and the rule) and otherwise returns the socket
 * at once, pending. Whether it actually opened is told by its {@code opened()} stage, which fails
 * with {@link NotAllowedException} (the policy refused, before any packet left),
 * {@link NetworkException} (DNS, refused, unreachable, TLS handshake, ...),
 * {@link TimedOutException} (connect timeout) or {@link SocketClosedException} (closed while
 * pending, or the service went away).
 */
@ProviderType
public interface SocketService {

    /**
     * Opens a TCP connection.
     *
     * @param remoteAddress host name or IP literal (IPv6 with or without brackets); resolved once,
     *            according to {@link TcpSocketOptions#dnsQueryType()}, and the connection goes to the
     *            exact address that was checked by the policy
     * @param remotePort 1..65535
     * @param options socket options; {@link TcpSocketOptions#defaults()} for none
     * @return the pending socket
     * @throws IllegalArgumentException when an argument breaks its rule
     */
    TcpSocket openTcp(String remoteAddress, int remotePort, TcpSocketOptions options);

    /** {@link #openTcp(String, int, TcpSocketOptions)} with default options. */
    default TcpSocket openTcp(String remoteAddress, int remotePort) {
        return openTcp(remoteAddress, remotePort, TcpSocketOptions.defaults());
    }

    /**
     * Asks whether this bundle may open a TCP connection to {@code remoteAddress:remotePort},
     * without opening one: for traffic that leaves through another socket of the bundle (an SSH
     * bastion's {@code direct-tcpip} channel to a final target, a proxy's {@code CONNECT}), so that
     * the operator's grant names the final destination too.
     *
     * <p>Decided as {@link #openTcp(String, int, TcpSocketOptions)} would: the name is resolved once
     * (with {@code dnsQueryType}) and each address is checked by the policy; the check passes when the
     * policy allows one of them. A name that does not resolve here (one only the other side knows) is
     * checked by its name alone, so only a grant naming that host (or any host) allows it. A refusal
     * is audited as a refused open (no socket id) and fails the stage with the policy's
     * {@link NotAllowedException}; nothing is sent to the destination either way.
     *
     * @param remoteAddress host name or IP literal (IPv6 with or without brackets)
     * @param remotePort 1..65535
     * @param dnsQueryType the address family to resolve the name with
     * @return completes when the policy allows the destination; fails with
     *         {@link NotAllowedException} (naming the bundle, the destination and the missing grant)
     *         or {@link SocketClosedException} (the service was released)
     * @throws IllegalArgumentException when an argument breaks its rule
     * @since 1.3
     */
    java.util.concurrent.CompletionStage<Void> checkTcp(String remoteAddress, int remotePort, DnsQueryType dnsQueryType);

    /**
     * Opens a TCP connection to a named endpoint that the operator configured (address, port and
     * TLS settings come from the endpoint; the other options from {@code options}). This is the
     * Direct Sockets "the address may be omitted and supplied by the user agent" case: the bundle
     * names what it wants to talk to, the operator decides where that is.
     *
     * <p>The operator wins: the endpoint's TLS mode, server name and trust apply. The bundle's
     * {@link TlsOptions#mode()} must compose with the endpoint's: {@code OFF} opens a plain endpoint
     * plainly and an implicit-TLS endpoint with TLS; {@code ON} needs an implicit-TLS endpoint;
     * {@code STARTTLS} needs a STARTTLS endpoint. TLS options that would replace the endpoint's trust
     * (a trust manager, trusted certificates, {@code verifyHostname(false)}, another server name) are
     * refused, here and in {@link TcpSocket#startTls(TlsOptions)}.
     *
     * @throws IllegalArgumentException when no endpoint of that name is configured (the message
     *             lists the configured ones and how to add one), or when {@code options} contradict
     *             the endpoint (the message names the option and the endpoint's setting)
     */
    TcpSocket openTcpEndpoint(String endpointName, TcpSocketOptions options);

    /**
     * Opens a UDP socket, connected ({@link UdpSocketOptions#remoteAddress()} set) or bound
     * ({@link UdpSocketOptions#localAddress()} set).
     */
    UdpSocket openUdp(UdpSocketOptions options);

    /**
     * Opens a connected UDP socket to a named endpoint; the endpoint supplies address and port (a
     * remote address and port in {@code options} are replaced by the endpoint's).
     *
     * @throws IllegalArgumentException when no endpoint of that name is configured
     */
    UdpSocket openUdpEndpoint(String endpointName, UdpSocketOptions options);

    /** Opens a TCP server socket that accepts connections. */
    TcpServerSocket listenTcp(TcpServerSocketOptions options);

    /**
     * A {@link SocketFactory} for Java network libraries (MQTT, HTTP, JDBC clients...) whose
     * sockets are {@link java.net.Socket}s backed by {@link TcpSocket}s of this service: the policy,
     * the quotas, the socket list and the clean-up when the bundle stops apply to them as to any
     * socket this bundle opens.
     *
     * <p>How the sockets behave:
     * <ul>
     * <li>{@code connect(address, timeout)}: an unresolved address (or a host name given to
     * {@code createSocket(String, int)}) is resolved and checked by the service as for
     * {@link #openTcp}; an address the library resolved itself is connected to exactly, and the
     * policy sees both the name it was resolved from and that address. A refusal throws the
     * policy's {@link NotAllowedException}; a refused connection {@link java.net.ConnectException};
     * a connect that does not complete within {@code timeout} (0: {@code options.connectTimeout()} or
     * the service's default, never unbounded) {@link java.net.SocketTimeoutException}. A failed
     * connect closes the socket, as the JDK's does.</li>
     * <li>The streams are blocking views: {@code setSoTimeout} is the read timeout (changeable at any
     * time; a read that waits longer throws {@link java.net.SocketTimeoutException} and the stream
     * stays usable), {@code close()} from another thread makes a blocked read or write throw
     * {@link java.net.SocketException} ("Socket closed") at once. As with the JDK's sockets, a write
     * has no time limit: it waits while the peer does not read, until the socket is closed. Calling
     * them on an I/O thread of the service throws {@link IllegalStateException}.</li>
     * <li>{@code shutdownInput}/{@code shutdownOutput} half-close (the socket always allows
     * half-open connections: {@link TcpSocketOptions#allowHalfOpen()} is ignored);
     * {@code setSoLinger(true, 0)} followed by {@code close()} resets the connection.</li>
     * <li>Options set before {@code connect} override {@code options}; after it,
     * {@code setTcpNoDelay}, {@code setKeepAlive}, {@code setSendBufferSize} and
     * {@code setReceiveBufferSize} apply to the open connection. {@code bind} before {@code connect}
     * (and the factory methods with a local address and port) sets the socket's
     * {@link TcpSocketOptions#localAddress()} and local port (since 1.4; the policy checks it as
     * {@code tcp-bind}). Options the service cannot honour (urgent data) throw
     * {@link java.net.SocketException}; only those the JDK documents as hints (traffic class,
     * performance preferences) are accepted and may be ignored.</li>
     * <li>The sockets are connected in {@link TlsMode#STARTTLS} mode so that
     * {@link #sslSocketFactory(TcpSocketOptions)} can layer TLS over them
     * ({@code createSocket(socket, host, port, autoClose)}); {@code options.tls()} other than the
     * mode is used for that upgrade.</li>
     * </ul>
     * A library that opens {@code new Socket()} itself is outside this: only sockets made by this
     * factory are the bundle's.
     *
     * @param options the options of every socket the factory makes
     * @return a factory bound to this service instance (its sockets belong to this bundle)
     * @since 1.1
     */
    SocketFactory socketFactory(TcpSocketOptions options);

    /** {@link #socketFactory(TcpSocketOptions)} with default options. */
    default SocketFactory socketFactory() {
        return socketFactory(TcpSocketOptions.defaults());
    }

    /**
     * An {@link SSLSocketFactory} whose sockets are {@link javax.net.ssl.SSLSocket}s over sockets of
     * {@link #socketFactory(TcpSocketOptions)}: the TLS runs inside this service with the TLS settings
     * of {@code options.tls()} (trust, client certificate, protocols, ALPN, host name verification;
     * the mode is ignored). The handshake starts at {@code startHandshake()}, {@code getSession()} or
     * the first read or write, as with the JDK's sockets; a library's
     * {@code setEnabledProtocols}/{@code setEnabledCipherSuites}/{@code setSSLParameters} before it
     * are applied within what {@code options.tls()} allows, and can make host name verification
     * stricter (endpoint identification {@code HTTPS}) but never turn it off.
     * {@code createSocket(socket, host, port, autoClose)} upgrades a socket of this service's
     * {@link #socketFactory(TcpSocketOptions)} in place (STARTTLS); any other {@link java.net.Socket}
     * is refused with {@link java.net.SocketException}. Client mode only.
     *
     * @param options the options of every socket the factory makes, TLS settings included
     * @return a factory bound to this service instance (its sockets belong to this bundle)
     * @since 1.1
     */
    SSLSocketFactory sslSocketFactory(TcpSocketOptions options);

    /** {@link #sslSocketFactory(TcpSocketOptions)} with default options (the JDK's trust store). */
    default SSLSocketFactory sslSocketFactory() {
        return sslSocketFactory(TcpSocketOptions.defaults());
    }

    /** The sockets this bundle's instance currently owns, with their counters. */
    List<SocketInfo> sockets();

    /** The named endpoints the operator configured. */
    List<EndpointInfo> endpoints();
}
