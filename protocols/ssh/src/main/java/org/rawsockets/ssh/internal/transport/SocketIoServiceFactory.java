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

/** Makes {@link SocketIoConnector}s for one {@code SshClient}; closing it closes every connection they made. */
final class SocketIoServiceFactory extends AbstractCloseable implements IoServiceFactory {

    private final FactoryManager manager;
    private final SocketService sockets;
    private final TcpSocketOptions options;
    private final java.util.Set<SocketIoConnector> connectors = java.util.concurrent.ConcurrentHashMap.newKeySet();
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
        connectors.add(c);
        return c;
    }

    /**
     * Not supported: this transport only connects (an SSH server, or a remote port forward's local
     * listener, would accept; local forwards are not offered yet).
     */
    @Override
    public IoAcceptor createAcceptor(IoHandler handler) {
        throw new UnsupportedOperationException(
                "the socket-service SSH transport does not accept connections (no SSH server, no local port forwarding yet)");
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
        for (SocketIoConnector c : connectors) {
            c.close(true);
        }
        connectors.clear();
        super.doCloseImmediately();
    }
}
