package org.rawsockets.ssh.internal.transport;

import org.apache.sshd.common.FactoryManager;
import org.apache.sshd.common.io.IoAcceptor;
import org.apache.sshd.common.io.IoConnector;
import org.apache.sshd.common.io.IoHandler;
import org.apache.sshd.common.io.IoServiceEventListener;
import org.apache.sshd.common.io.IoServiceFactory;
import org.apache.sshd.common.util.closeable.AbstractCloseable;
import org.rawsockets.socket.SocketService;
import org.rawsockets.socket.TcpSocketOptions;

/**
 * Makes {@link SocketIoConnector}s and {@link SocketIoAcceptor}s for one {@code SshClient}; closing it
 * closes every connection and listener they made.
 */
final class SocketIoServiceFactory extends AbstractCloseable implements IoServiceFactory {

    private final FactoryManager manager;
    private final SocketService sockets;
    private final TcpSocketOptions options;
    private final java.util.Set<SocketIoService> services = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private volatile IoServiceEventListener listener;

    /**
     * SSHD's work on received bytes (decryption, MAC, key exchange, channel handling) runs here, not on
     * the socket engine's shared I/O threads: a key exchange (sntrup761 takes about half a second of
     * CPU) or a burst of decryption then never delays the other sockets of the gateway. One thread per
     * session at most (each session has one read in flight and handles it before reading again); idle
     * threads end after 30 s; beyond {@link #MAX_HANDLER_THREADS} the I/O thread handles it itself.
     */
    static final int MAX_HANDLER_THREADS = 64;
    private static final java.util.concurrent.atomic.AtomicInteger FACTORIES = new java.util.concurrent.atomic.AtomicInteger();
    private final java.util.concurrent.ThreadPoolExecutor handlerThreads;

    SocketIoServiceFactory(FactoryManager manager, SocketService sockets, TcpSocketOptions options) {
        int n = FACTORIES.incrementAndGet();
        java.util.concurrent.atomic.AtomicInteger threads = new java.util.concurrent.atomic.AtomicInteger();
        this.handlerThreads = new java.util.concurrent.ThreadPoolExecutor(0, MAX_HANDLER_THREADS, 30,
                java.util.concurrent.TimeUnit.SECONDS, new java.util.concurrent.SynchronousQueue<>(), r -> {
                    Thread t = new Thread(r, "rawsockets-ssh-transport-" + n + "-" + threads.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                }, new java.util.concurrent.ThreadPoolExecutor.CallerRunsPolicy());
        this.manager = manager;
        this.sockets = sockets;
        this.options = options;
    }

    @Override
    public IoConnector createConnector(IoHandler handler) {
        SocketIoConnector c = new SocketIoConnector(manager, handler, sockets, options, handlerThreads);
        c.setIoServiceEventListener(listener);
        services.add(c);
        c.addCloseFutureListener(f -> services.remove(c));
        return c;
    }

    /** Listeners of local port forwards, on {@code SocketService.listenTcp} (the policy decides what may listen). */
    @Override
    public IoAcceptor createAcceptor(IoHandler handler) {
        SocketIoAcceptor a = new SocketIoAcceptor(handler, sockets, options, handlerThreads);
        a.setIoServiceEventListener(listener);
        services.add(a);
        a.addCloseFutureListener(f -> services.remove(a));
        return a;
    }

    @Override
    public IoServiceEventListener getIoServiceEventListener() {
        return listener;
    }

    @Override
    public void setIoServiceEventListener(IoServiceEventListener listener) {
        this.listener = listener;
    }

    @Override
    protected void doCloseImmediately() {
        for (SocketIoService c : services) {
            c.close(true);
        }
        services.clear();
        handlerThreads.shutdown();
        super.doCloseImmediately();
    }
}
