package org.rawsockets.ssh.internal.transport;

import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.sshd.common.io.IoService;
import org.apache.sshd.common.io.IoServiceEventListener;
import org.apache.sshd.common.io.IoSession;
import org.apache.sshd.common.util.closeable.AbstractCloseable;

/** What the socket-service connector and acceptor share: their sessions and event listener. */
abstract class SocketIoService extends AbstractCloseable implements IoService {

    final Map<Long, IoSession> sessions = new ConcurrentHashMap<>();
    volatile IoServiceEventListener listener;
    /** Runs SSHD's handling of received bytes (decryption, channels) off the socket engine's I/O threads. */
    final java.util.concurrent.Executor handlerThreads;

    SocketIoService(java.util.concurrent.Executor handlerThreads) {
        this.handlerThreads = handlerThreads;
    }

    void sessionClosed(IoSession session) {
        sessions.remove(session.getId());
    }

    static Throwable unwrap(Throwable t) {
        while (t instanceof CompletionException && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    @Override
    public Map<Long, IoSession> getManagedSessions() {
        return Map.copyOf(sessions);
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
        for (IoSession s : sessions.values()) {
            s.close(true);
        }
        super.doCloseImmediately();
    }
}
