package org.rawsockets.socket;

import java.util.concurrent.CompletionStage;

import org.osgi.annotation.versioning.ProviderType;

/**
 * A TCP connection (Direct Sockets {@code TCPSocket}).
 *
 * <pre>{@code
 * TcpSocket socket = sockets.openTcp("printer.local", 9100, TcpSocketOptions.builder().noDelay(true).build());
 * socket.opened()
 *     .thenCompose(info -> socket.writable().write("hello\n".getBytes(US_ASCII)))
 *     .thenCompose(v -> socket.readable().read())
 *     .thenCompose(r -> socket.close());
 * }</pre>
 *
 * <p>{@link #readable()} and {@link #writable()} may be called at once; their operations wait for
 * the open and fail with the open's error if it fails.
 */
@ProviderType
public interface TcpSocket {

    /**
     * Completes once connected (and, with {@link TlsMode#ON}, once the handshake is done), or fails
     * with {@link NotAllowedException}, {@link NetworkException}, {@link TimedOutException} or
     * {@link SocketClosedException}.
     */
    CompletionStage<TcpOpenInfo> opened();

    /** The bytes received. */
    TcpReadable readable();

    /** The bytes to send. */
    TcpWritable writable();

    /**
     * Completes when both directions are done and the connection is released; fails with the error
     * that ended the socket (reset, I/O error, open failure).
     */
    CompletionStage<Void> closed();

    /**
     * Ends both directions: cancels the readable side, closes the writable side after what is
     * queued (with TLS: close_notify, then FIN), releases the connection. Idempotent. Closing a
     * pending socket cancels the open (its {@code opened()} fails with {@link SocketClosedException}).
     *
     * <p>The close ends in bounded time: when what is queued cannot be sent within the close
     * timeout ({@link TcpSocketOptions#closeTimeout()}, e.g. because the peer stopped reading), the
     * connection is reset and {@link #closed()} fails with {@link TimedOutException} naming the
     * socket and the limit.
     *
     * @return {@link #closed()}
     */
    CompletionStage<Void> close();

    /**
     * Upgrades a {@link TlsMode#STARTTLS} socket to TLS with the TLS options it was opened with.
     *
     * @see #startTls(TlsOptions)
     */
    TcpSocket startTls();

    /**
     * Upgrades a {@link TlsMode#STARTTLS} socket to TLS, in place on the same connection. The
     * returned socket's {@code opened()} completes after the handshake with the TLS details; from
     * this call on, the streams of this socket stop working (their operations fail with
     * {@link SocketClosedException}) and the returned socket's streams carry the data. Call it only
     * when the protocol has agreed to upgrade and nothing unread is pending.
     *
     * <p>Plain-text bytes never reach the TLS streams: bytes received before this call and not yet
     * read make it fail (they may have been injected by an attacker to be taken for TLS data, the
     * STARTTLS command injection of CVE-2011-0411); bytes arriving after it go to the TLS handshake,
     * which they fail, or fail the returned socket's {@code opened()} with
     * {@link NetworkException}. A failed upgrade handshake closes the connection.
     *
     * @param tls TLS settings; {@link TlsOptions#mode()} is ignored
     * @throws IllegalStateException when this socket was not opened with {@link TlsMode#STARTTLS},
     *             is already TLS, is not open yet, or was already upgraded, or when received bytes
     *             are still unread (nothing changes then: the plain streams stay usable)
     */
    TcpSocket startTls(TlsOptions tls);

    /** Identity, state and counters. */
    SocketInfo info();
}
