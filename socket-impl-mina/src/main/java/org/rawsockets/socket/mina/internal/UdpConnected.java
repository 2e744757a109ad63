package org.rawsockets.socket.mina.internal;

import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import org.apache.mina.core.future.ConnectFuture;
import org.apache.mina.core.session.IoSession;
import org.apache.mina.transport.socket.DatagramSessionConfig;
import org.rawsockets.socket.NetworkException;
import org.rawsockets.socket.SocketClosedException;
import org.rawsockets.socket.TimedOutException;
import org.rawsockets.socket.UdpOpenInfo;
import org.rawsockets.socket.mina.internal.policy.AccessKind;

/**
 * The connected mode of a {@link UdpSocketImpl}: one peer, resolved and checked by the policy once
 * at the open; a session of the engine's shared {@code NioDatagramConnector} (the shared I/O
 * processors) carries every datagram in both directions.
 */
final class UdpConnected {

    private final UdpSocketImpl u;
    /** Set once connected (under u). */
    volatile IoSession session;

    UdpConnected(UdpSocketImpl u) {
        this.u = u;
    }

    /** Resolves, checks the policy and connects (blocking executor). */
    void open() {
        String host = u.options.remoteAddress().get();
        InetSocketAddress a;
        try {
            a = new InetSocketAddress(u.engine.resolver().resolve(host, u.options.dnsQueryType()).get(0),
                    u.options.remotePort());
        } catch (UnknownHostException e) {
            u.failOpen(new NetworkException(NetworkException.Reason.DNS, "cannot resolve '" + host + "' (dnsQueryType " + u.options.dnsQueryType()
                    + "): unknown host", e));
            return;
        }
        u.auditAddress = a;
        if (!u.check(AccessKind.UDP_CONNECTED, host, a)) {
            return;
        }
        ConnectFuture cf = u.engine.udpConnector().connect(a, (s, f) -> {
            s.setAttribute(UdpSocketImpl.SESSION_KEY, u);
            u.configure((DatagramSessionConfig) s.getConfig());
        });
        // completed by an I/O thread: nothing waits for it here (this runs on the blocking executor)
        long limit = u.engine.config().connectTimeout().toMillis();
        ScheduledFuture<?> timeout;
        try {
            timeout = u.engine.timer().schedule(() -> {
                if (!cf.isDone()) {
                    cf.cancel();
                    u.failOpen(new TimedOutException("opening UDP to " + u.destination + " did not complete within "
                            + limit + " ms"));
                }
            }, limit, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            cf.cancel();
            u.failOpen(new SocketClosedException("the UDP socket " + u.destination + " was closed: the socket service"
                    + " is stopping"));
            return;
        }
        cf.addListener(f -> {
            timeout.cancel(false);
            connected(a, (ConnectFuture) f);
        });
    }

    /** The connect of a connected-mode socket completed (I/O thread, or the caller when done at once). */
    private void connected(InetSocketAddress a, ConnectFuture cf) {
        if (!cf.isConnected()) {
            Throwable c = cf.getException();
            u.failOpen(NetworkReasons.of("cannot open UDP to " + u.destination + ": "
                    + (c == null ? "cancelled" : c.getMessage()), c));
            return;
        }
        IoSession s = cf.getSession();
        synchronized (u) {
            session = s;
            if (!u.finishOpen()) {
                s.closeNow();
                return;
            }
        }
        u.localAddress = (InetSocketAddress) s.getLocalAddress();
        u.remoteAddress = a;
        u.markOpen();
        u.opened.complete(new UdpOpenInfo(a, u.localAddress));
    }
}
