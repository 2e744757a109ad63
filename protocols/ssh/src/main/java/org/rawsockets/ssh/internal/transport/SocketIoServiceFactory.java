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

    SocketIoServiceFactory(FactoryManager manager, SocketService sockets, TcpSocketOptions options) {
        this.manager = manager;
        this.sockets = sockets;
        this.options = options;
    }

    @Override
    public IoConnector createConnector(IoHandler handler) {
        SocketIoConnector c = new SocketIoConnector(manager, handler, sockets, options);
        c.setIoServiceEventListener(listener);
        services.add(c);
        c.addCloseFutureListener(f -> services.remove(c));
        return c;
    }

    /** Listeners of local port forwards, on {@code SocketService.listenTcp} (the policy decides what may listen). */
    @Override
    public IoAcceptor createAcceptor(IoHandler handler) {
        SocketIoAcceptor a = new SocketIoAcceptor(handler, sockets, options);
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
        super.doCloseImmediately();
    }
}
