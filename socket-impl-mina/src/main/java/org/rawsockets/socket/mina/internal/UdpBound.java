package org.rawsockets.socket.mina.internal;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.net.UnknownHostException;
import java.nio.channels.DatagramChannel;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;

import org.apache.mina.core.session.IoSession;
import org.apache.mina.transport.socket.DatagramSessionConfig;
import org.apache.mina.transport.socket.nio.NioDatagramAcceptor;
import org.rawsockets.socket.DnsQueryType;
import org.rawsockets.socket.NetworkException;
import org.rawsockets.socket.NotAllowedException;
import org.rawsockets.socket.SocketClosedException;
import org.rawsockets.socket.UdpMessage;
import org.rawsockets.socket.UdpOpenInfo;
import org.rawsockets.socket.mina.internal.policy.Access;
import org.rawsockets.socket.mina.internal.policy.AccessKind;

/**
 * The bound mode of a {@link UdpSocketImpl}: its own {@link NioDatagramAcceptor} (one thread) on a
 * local address, whose channel also carries the multicast memberships ({@link UdpMulticast}); each
 * datagram names its destination, resolved and checked by the policy per send, and goes out on the
 * caller's thread when nothing of the socket waits in MINA (else through MINA's session for that
 * peer); MINA keeps a session per peer address it hears from or queues for ({@link PeerSessions},
 * bounded).
 */
final class UdpBound {

    private final UdpSocketImpl u;
    private final PeerSessions peers = new PeerSessions();
    private volatile NioDatagramAcceptor acceptor;
    /** The channel MINA bound, or null (before the bind; or a MINA that DatagramChannels cannot read). */
    volatile DatagramChannel channel;
    /** The bound local address, once bound. */
    volatile InetSocketAddress address;

    UdpBound(UdpSocketImpl u) {
        this.u = u;
    }

    /** Checks the policy and binds its own acceptor (blocking executor). */
    void open() {
        String host = u.options.localAddress().get();
        InetSocketAddress a;
        try {
            a = new InetSocketAddress(InetAddress.getByName(host), u.options.localPort());
        } catch (UnknownHostException e) {
            u.failOpen(new NetworkException(NetworkException.Reason.LOCAL_ADDRESS, "cannot bind UDP to " + u.destination
                    + ": unknown local address", e));
            return;
        }
        u.auditAddress = a;
        if (!u.check(AccessKind.UDP_BIND, host, a)) {
            return;
        }
        NioDatagramAcceptor acc = new NioDatagramAcceptor(u.engine.ioPool());
        acc.setSessionDataStructureFactory(SessionAttributes.FACTORY);
        acc.setHandler(new UdpSocketImpl.Handler(u));
        acc.setSessionRecycler(peers);
        acc.setCloseOnDeactivation(true);
        DatagramSessionConfig c = acc.getSessionConfig();
        u.configure(c);
        c.setReuseAddress(u.options.multicastAllowAddressSharing());
        synchronized (u) {
            if (u.openFinished()) {
                acc.dispose();
                return;
            }
            acceptor = acc;
        }
        try {
            acc.bind(a);
            InetSocketAddress local = acc.getLocalAddress();
            address = local;
            // the channel MINA bound, read directly (no session, no packet); null only on a MINA
            // version that renamed what DatagramChannels reads (logged once): then no multicast
            DatagramChannel ch = DatagramChannels.of(acc);
            channel = ch;
            if (ch != null) {
                ch.setOption(StandardSocketOptions.IP_MULTICAST_TTL, u.options.multicastTimeToLive());
                ch.setOption(StandardSocketOptions.IP_MULTICAST_LOOP, u.options.multicastLoopback());
                if (u.options.multicastInterface().isPresent()) {
                    ch.setOption(StandardSocketOptions.IP_MULTICAST_IF, UdpMulticast.networkInterface(u.options, local));
                }
            } else if (u.options.multicastInterface().isPresent()) {
                throw new IOException("multicastInterface cannot be applied: " + DatagramChannels.problem());
            }
            u.localAddress = local;
        } catch (IOException | RuntimeException e) {
            u.failOpen(NetworkReasons.of("cannot bind UDP to " + u.destination + ": " + e.getMessage(), e));
            return;
        }
        if (!u.finishOpen()) {
            return;
        }
        u.markOpen();
        u.opened.complete(new UdpOpenInfo(null, u.localAddress));
    }

    /**
     * Sends {@code m} to its destination: resolved (off the I/O thread unless an IP literal),
     * checked by the policy, sent in place or through MINA's session for that peer address.
     */
    CompletionStage<Void> send(UdpMessage m, int n) {
        String host = m.remoteAddress();
        DnsQueryType type = m.dnsQueryType() != null ? m.dnsQueryType() : u.options.dnsQueryType();
        if (TlsSupport.isIpLiteral(host)) {
            try {
                return sendTo(host, InetAddress.getByName(host), m, n);
            } catch (UnknownHostException e) {
                return CompletableFuture.failedFuture(NetworkReasons.of("bad address '" + host + "'", e));
            }
        }
        CompletableFuture<Void> f = new CompletableFuture<>();
        try {
            u.engine.blocking(u.owner).execute(() -> {
                try {
                    InetAddress a = u.engine.resolver().resolve(host, type).get(0);
                    sendTo(host, a, m, n).whenComplete((v, t) -> {
                        if (t != null) {
                            f.completeExceptionally(t);
                        } else {
                            f.complete(null);
                        }
                    });
                } catch (UnknownHostException e) {
                    f.completeExceptionally(new NetworkException(NetworkException.Reason.DNS, "cannot resolve '" + host + "' (dnsQueryType "
                            + type + "): unknown host", e));
                } catch (RuntimeException e) {
                    f.completeExceptionally(NetworkReasons.of("cannot send to '" + host + "': " + e, e));
                }
            });
        } catch (RejectedExecutionException e) {
            f.completeExceptionally(new NetworkException(NetworkException.Reason.UNAVAILABLE, "cannot resolve '" + host
                    + "': resolver queue full", e));
        }
        return f;
    }

    private CompletionStage<Void> sendTo(String host, InetAddress a, UdpMessage m, int n) {
        InetSocketAddress dest = new InetSocketAddress(a, m.remotePort());
        try {
            u.engine.policy().check(u.owner.owner(), new Access(AccessKind.UDP_SEND, host, u.endpointName, dest));
        } catch (NotAllowedException e) {
            return CompletableFuture.failedFuture(e);
        }
        DatagramChannel ch = channel;
        if (ch != null) {
            CompletionStage<Void> inPlace = u.sendInPlace(ch, dest, m.data(), n);
            if (inPlace != null) {
                return inPlace;
            }
        }
        NioDatagramAcceptor acc = acceptor;
        if (acc == null || address == null) {
            return CompletableFuture.failedFuture(new SocketClosedException("the UDP socket " + u.destination
                    + " is closed"));
        }
        IoSession s;
        try {
            s = acc.newSession(dest, address);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(new SocketClosedException("the UDP socket " + u.destination
                    + " is closed", e));
        }
        return u.submit(s, m.data(), n);
    }

    /** Peer sessions created (MINA makes one per peer address it talks with). */
    long peerSessionsCreated() {
        return peers.created();
    }

    /** The peer addresses with a session now. */
    List<SocketAddress> peerSessions() {
        return peers.peers();
    }

    /** Stops the acceptor (waits for its own thread to let go of the channel). */
    void dispose() {
        NioDatagramAcceptor acc = acceptor;
        if (acc != null) {
            u.multicast.dropAll();
            try {
                acc.unbind();
            } catch (RuntimeException ignored) {
                // not bound
            }
            acc.dispose(true);
        }
    }
}
