package org.rawsockets.socket.mina.internal;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.MembershipKey;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;

import org.rawsockets.socket.MulticastController;
import org.rawsockets.socket.NetworkException;
import org.rawsockets.socket.NotAllowedException;
import org.rawsockets.socket.UdpSocketOptions;
import org.rawsockets.socket.mina.internal.policy.Access;
import org.rawsockets.socket.mina.internal.policy.AccessKind;

/**
 * The multicast memberships of a bound UDP socket, on the channel MINA bound for it
 * ({@link DatagramChannels}); each join is checked by the policy.
 */
final class UdpMulticast implements MulticastController {

    private final UdpSocketImpl socket;
    private final Map<String, MembershipKey> keys = new ConcurrentHashMap<>();

    UdpMulticast(UdpSocketImpl socket) {
        this.socket = socket;
    }

    private InetAddress group(String groupAddress) {
        Objects.requireNonNull(groupAddress, "groupAddress");
        String g = groupAddress.strip();
        if (!g.matches("[0-9a-fA-F:.%]+") || !(g.indexOf(':') >= 0 || g.matches("[0-9.]+"))) {
            throw new IllegalArgumentException("groupAddress must be a multicast IP literal, was '" + groupAddress + "'");
        }
        InetAddress a;
        try {
            a = InetAddress.getByName(g);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("groupAddress must be a multicast IP literal, was '" + groupAddress + "'");
        }
        if (!a.isMulticastAddress()) {
            throw new IllegalArgumentException("groupAddress must be a multicast address (224.0.0.0/4 or ff00::/8),"
                    + " was " + groupAddress);
        }
        return a;
    }

    @Override
    public CompletionStage<Void> joinGroup(String groupAddress) {
        InetAddress g = group(groupAddress);
        if (socket.options.isConnected()) {
            throw new IllegalStateException("multicast needs a bound UDP socket; " + socket.destination + " is connected");
        }
        return socket.opened.thenCompose(info -> {
            InetSocketAddress ga = new InetSocketAddress(g, socket.bound.address.getPort());
            NetworkInterface ni;
            try {
                ni = networkInterface(socket.options, socket.bound.address);
            } catch (IOException | RuntimeException e) {
                return CompletableFuture.failedFuture(NetworkReasons.of("cannot join multicast group "
                        + g.getHostAddress() + " on " + socket.destination + ": " + e.getMessage(), e));
            }
            try {
                // the interface joined on is part of the decision: grants may name it (interface=<name>)
                socket.engine.policy().check(socket.owner.owner(), new Access(AccessKind.MULTICAST_JOIN, g.getHostAddress(),
                        socket.endpointName, ga, ni == null ? null : ni.getName()));
            } catch (NotAllowedException e) {
                return CompletableFuture.failedFuture(e);
            }
            DatagramChannel ch = socket.bound.channel;
            if (ch == null) {
                return CompletableFuture.failedFuture(new NetworkException("cannot join multicast group "
                        + g.getHostAddress() + " on " + socket.destination + ": " + DatagramChannels.problem()));
            }
            try {
                MembershipKey k = ch.join(g, ni);
                keys.put(g.getHostAddress(), k);
                return CompletableFuture.completedFuture(null);
            } catch (IOException | RuntimeException e) {
                return CompletableFuture.failedFuture(NetworkReasons.of("cannot join multicast group "
                        + g.getHostAddress() + " on " + socket.destination + ": " + e.getMessage(), e));
            }
        });
    }

    @Override
    public CompletionStage<Void> leaveGroup(String groupAddress) {
        InetAddress g = group(groupAddress);
        MembershipKey k = keys.remove(g.getHostAddress());
        if (k == null) {
            return CompletableFuture.failedFuture(new IllegalStateException("multicast group " + g.getHostAddress()
                    + " was not joined on " + socket.destination));
        }
        k.drop();
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public List<String> joinedGroups() {
        List<String> out = new ArrayList<>(keys.keySet());
        out.sort(null);
        return out;
    }

    void dropAll() {
        for (Iterator<MembershipKey> it = keys.values().iterator(); it.hasNext();) {
            it.next().drop();
            it.remove();
        }
    }

    /**
     * The interface for multicast: the configured {@code multicastInterface}, else the bound
     * address's, else the first multicast-capable one that is up (loopback last).
     */
    static NetworkInterface networkInterface(UdpSocketOptions options, InetSocketAddress bound) throws IOException {
        String name = options.multicastInterface().orElse(null);
        if (name != null) {
            NetworkInterface ni = NetworkInterface.getByName(name);
            if (ni == null) {
                throw new SocketException("no network interface named '" + name + "' (multicastInterface)");
            }
            return ni;
        }
        InetSocketAddress b = bound;
        if (b != null && !b.getAddress().isAnyLocalAddress()) {
            NetworkInterface ni = NetworkInterface.getByInetAddress(b.getAddress());
            if (ni != null) {
                return ni;
            }
        }
        NetworkInterface fallback = null;
        for (Enumeration<NetworkInterface> e = NetworkInterface.getNetworkInterfaces(); e.hasMoreElements();) {
            NetworkInterface ni = e.nextElement();
            if (ni.isUp() && ni.supportsMulticast()) {
                if (!ni.isLoopback()) {
                    return ni;
                }
                fallback = ni;
            }
        }
        if (fallback == null) {
            throw new SocketException("no multicast-capable network interface is up");
        }
        return fallback;
    }
}
