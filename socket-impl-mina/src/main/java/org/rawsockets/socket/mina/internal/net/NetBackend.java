package org.rawsockets.socket.mina.internal.net;

import java.io.IOException;
import java.net.InetAddress;
import java.net.SocketException;
import java.net.SocketOption;

import javax.net.ssl.SSLSession;

import org.rawsockets.socket.TcpSocket;
import org.rawsockets.socket.TcpSocketOptions;

/**
 * What the {@link java.net.Socket} views need from the socket engine beyond the public API: one
 * instance per bundle's service. The engine implements it next to its connections.
 */
public interface NetBackend {

    /** {@link #read} found no data within its time limit; the stream stays usable. */
    int TIMED_OUT = -2;

    /**
     * Opens a TCP connection of this bundle (STARTTLS mode, as {@code options} say).
     *
     * @param host what the policy sees as the requested host: a name or an IP literal
     * @param pinned when not null, the only address to connect to (the library resolved
     *            {@code host} itself); the policy checks it. When null, the service resolves
     *            {@code host} and checks the address it connects to.
     * @throws IllegalArgumentException when an argument breaks its rule
     * @throws IllegalStateException when the service was released
     */
    TcpSocket open(String host, InetAddress pinned, int port, TcpSocketOptions options);

    /**
     * Copies up to {@code len} of {@code socket}'s received bytes into {@code b} at {@code off},
     * waiting at most {@code timeoutMillis} for the first one.
     *
     * @return the count (at least 1); -1 at the end of the stream (peer FIN, or cancelled);
     *         {@link #TIMED_OUT} when nothing arrived in time
     * @throws IOException the socket's error ({@link org.rawsockets.socket.RawSocketException})
     * @throws IllegalStateException on an I/O thread of the engine
     */
    int read(TcpSocket socket, byte[] b, int off, int len, long timeoutMillis) throws IOException;

    /**
     * Sends {@code len} bytes of {@code b} from {@code off} (at most 64 KiB), copied (into a pooled
     * buffer where one is free), so the caller may reuse {@code b} at once.
     *
     * @return the write's stage: complete when the socket accepted the bytes under its high-water mark
     */
    java.util.concurrent.CompletionStage<Void> write(TcpSocket socket, byte[] b, int off, int len);

    /** Received bytes buffered and not yet taken. */
    long available(TcpSocket socket);

    /** Throws {@link IllegalStateException} on an I/O thread of the engine. */
    void checkNotIoThread(String what);

    /**
     * Sets a standard option on the open connection of {@code socket}.
     *
     * @throws SocketException when the connection is gone or the option cannot be set
     */
    <T> void setOption(TcpSocket socket, SocketOption<T> option, T value) throws SocketException;

    /** Reads a standard option of the open connection; {@code null} when the connection is gone. */
    <T> T getOption(TcpSocket socket, SocketOption<T> option);

    /**
     * Closes {@code socket} as {@link TcpSocket#close()} does; if it is not closed within
     * {@code limitMillis} (the peer does not take what is queued), it is reset.
     */
    void close(TcpSocket socket, long limitMillis);

    /** The TLS session of a {@code socket} whose handshake completed, or {@code null}. */
    SSLSession tlsSession(TcpSocket socket);

    /** The owner's name, for messages. */
    String owner();
}
