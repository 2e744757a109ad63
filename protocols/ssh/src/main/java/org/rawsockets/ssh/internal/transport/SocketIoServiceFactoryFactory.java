package org.rawsockets.ssh.internal.transport;

import java.util.Objects;

import org.apache.sshd.common.Factory;
import org.apache.sshd.common.FactoryManager;
import org.apache.sshd.common.io.IoServiceFactory;
import org.apache.sshd.common.io.IoServiceFactoryFactory;
import org.apache.sshd.common.util.threads.CloseableExecutorService;
import org.rawsockets.socket.SocketService;
import org.rawsockets.socket.TcpSocketOptions;

/**
 * MINA SSHD's pluggable transport on the socket service: every connection an {@code SshClient} makes
 * with it is a {@link org.rawsockets.socket.TcpSocket} of {@code sockets} (policy checked before
 * any packet, counted in the bundle's quotas, closed when the bundle stops). Set explicitly with
 * {@code SshClient.setIoServiceFactoryFactory(...)} before {@code start()}; never found through
 * {@code ServiceLoader}.
 *
 * <p>Reads complete on the socket engine's I/O threads; SSHD's handling of the bytes (decryption, key
 * exchange, channels) then runs on a small pool of transport threads per client (idle ones end), as
 * SSHD's NIO2 transport runs it on its own channel group's threads, so SSHD's CPU work never holds
 * the engine's I/O threads that every socket of the gateway shares.
 */
public final class SocketIoServiceFactoryFactory implements IoServiceFactoryFactory {

    /**
     * Connection context key: the name of a socket-service endpoint to open (with
     * {@link SocketService#openTcpEndpoint}) instead of the target address's host and port.
     */
    public static final org.apache.sshd.common.AttributeRepository.AttributeKey<String> ENDPOINT =
            new org.apache.sshd.common.AttributeRepository.AttributeKey<>();

    /**
     * Connection context key: an open {@code direct-tcpip} channel of a bastion's session to carry the
     * connection ({@code ProxyJump}) instead of a socket. The policy checked the bastion's socket.
     */
    public static final org.apache.sshd.common.AttributeRepository.AttributeKey<org.apache.sshd.client.channel.ChannelDirectTcpip> VIA =
            new org.apache.sshd.common.AttributeRepository.AttributeKey<>();

    private final SocketService sockets;
    private final TcpSocketOptions options;

    /**
     * @param sockets the bundle's socket service
     * @param options the options of every connection (connect timeout, close timeout, keepalive...)
     */
    public SocketIoServiceFactoryFactory(SocketService sockets, TcpSocketOptions options) {
        this.sockets = Objects.requireNonNull(sockets, "sockets");
        this.options = Objects.requireNonNull(options, "options");
    }

    @Override
    public IoServiceFactory create(FactoryManager manager) {
        return new SocketIoServiceFactory(manager, sockets, options);
    }

    /** Ignored: the transport runs on the socket engine's threads and starts no executor. */
    @Override
    public void setExecutorServiceFactory(Factory<CloseableExecutorService> factory) {
        // no executor: see the class comment
    }
}
