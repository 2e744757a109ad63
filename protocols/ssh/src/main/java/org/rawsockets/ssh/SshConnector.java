package org.rawsockets.ssh;

import java.util.concurrent.CompletionStage;

import org.rawsockets.ssh.internal.SshEngine;
import org.rawsockets.socket.SocketService;

/**
 * Starts Apache MINA SSHD's client on a socket service and connects sessions with it. One per
 * bundle (or per configured host) is enough: sessions share its timer thread. {@link #close()}
 * stops the client, closes every session it made and ends its threads.
 */
public final class SshConnector implements AutoCloseable {

    private final SshEngine engine;

    private SshConnector(SshEngine engine) {
        this.engine = engine;
    }

    /**
     * Starts a client whose connections are sockets of {@code sockets} (the calling bundle's
     * instance): checked by its policy, counted in its quotas, closed with it.
     */
    public static SshConnector start(SocketService sockets) {
        return new SshConnector(new SshEngine(sockets));
    }

    /**
     * Connects, checks the host key, authenticates.
     *
     * @return the session; fails with {@link SshException}
     */
    public CompletionStage<SshSession> connect(SshSettings settings) {
        return engine.connect(settings);
    }

    /** Stops the client: closes every session it made, ends its threads. Idempotent, bounded in time. */
    @Override
    public void close() {
        engine.close();
    }
}
