package org.rawsockets.socket;

import java.util.List;

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
     * Opens a TCP connection to a named endpoint that the operator configured (address, port and
     * TLS settings come from the endpoint; the other options from {@code options}). This is the
     * Direct Sockets "the address may be omitted and supplied by the user agent" case: the bundle
     * names what it wants to talk to, the operator decides where that is.
     *
     * @throws IllegalArgumentException when no endpoint of that name is configured (the message
     *             lists the configured ones and how to add one)
     */
    TcpSocket openTcpEndpoint(String endpointName, TcpSocketOptions options);

    /**
     * Opens a UDP socket, connected ({@link UdpSocketOptions#remoteAddress()} set) or bound
     * ({@link UdpSocketOptions#localAddress()} set).
     */
    UdpSocket openUdp(UdpSocketOptions options);

    /**
     * Opens a connected UDP socket to a named endpoint; the endpoint supplies address and port.
     *
     * @throws IllegalArgumentException when no endpoint of that name is configured
     */
    UdpSocket openUdpEndpoint(String endpointName, UdpSocketOptions options);

    /** Opens a TCP server socket that accepts connections. */
    TcpServerSocket listenTcp(TcpServerSocketOptions options);

    /** The sockets this bundle's instance currently owns, with their counters. */
    List<SocketInfo> sockets();

    /** The named endpoints the operator configured. */
    List<EndpointInfo> endpoints();
}
