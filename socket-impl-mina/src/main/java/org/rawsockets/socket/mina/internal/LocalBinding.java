package org.rawsockets.socket.mina.internal;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

import org.rawsockets.socket.NetworkException;
import org.rawsockets.socket.NotAllowedException;
import org.rawsockets.socket.TcpSocketOptions;
import org.rawsockets.socket.mina.internal.policy.Access;
import org.rawsockets.socket.mina.internal.policy.AccessKind;
import org.rawsockets.socket.mina.internal.policy.Addresses;
import org.rawsockets.socket.mina.internal.policy.Owner;
import org.rawsockets.socket.mina.internal.policy.SocketPolicy;

/**
 * The local end an outgoing TCP connection binds before connecting
 * ({@link TcpSocketOptions#localAddress()}, {@link TcpSocketOptions#localPortFirst()}..
 * {@link TcpSocketOptions#localPortLast()}): the policy checks it once per open as {@code tcp-bind}
 * accesses (every port of the range, so an open never depends on which port happens to be free),
 * and the ports are handed out one per connect attempt, each at most once per open.
 */
final class LocalBinding {

    private final InetAddress address; // null: the wildcard of the destination's family
    private final String addressText;
    private final int first;
    private final int last;
    private int next; // guarded by this

    private LocalBinding(InetAddress address, String addressText, int first, int last) {
        this.address = address;
        this.addressText = addressText;
        this.first = first;
        this.last = last;
        this.next = first;
    }

    /**
     * The binding {@code options} ask for, or null when they ask for none.
     *
     * @throws NetworkException ({@code LOCAL_ADDRESS}) when the local address is not an IP literal
     */
    static LocalBinding of(TcpSocketOptions options) throws NetworkException {
        String text = options.localAddress().orElse(null);
        if (text == null && options.localPortFirst() == 0) {
            return null;
        }
        InetAddress a = null;
        if (text != null) {
            a = Addresses.literal(text);
            if (a == null) {
                throw new NetworkException(NetworkException.Reason.LOCAL_ADDRESS, "localAddress '" + text
                        + "' is not an IP address: the local end is bound to one of this machine's addresses, written as"
                        + " an IPv4 or IPv6 literal", null);
            }
        }
        return new LocalBinding(a, text, options.localPortFirst(), options.localPortLast());
    }

    /** "local 0.0.0.0:721-731" and the like, for messages. */
    String describe() {
        String ports = first == 0 ? "an ephemeral port" : first == last ? "port " + first : "a port of " + first + "-" + last;
        return (address == null ? "" : addressText + ", ") + ports;
    }

    /**
     * The destinations this binding can reach: with a local address only those of its family.
     *
     * @throws NetworkException ({@code LOCAL_ADDRESS}) when none is left
     */
    List<InetAddress> usable(List<InetAddress> destinations, String host) throws NetworkException {
        if (address == null) {
            return destinations;
        }
        List<InetAddress> out = new ArrayList<>();
        for (InetAddress d : destinations) {
            if ((d instanceof Inet6Address) == (address instanceof Inet6Address)) {
                out.add(d);
            }
        }
        if (out.isEmpty()) {
            throw new NetworkException(NetworkException.Reason.LOCAL_ADDRESS, "cannot connect to " + host + " from localAddress "
                    + addressText + ": " + host + " has no " + (address instanceof Inet4Address ? "IPv4" : "IPv6")
                    + " address (it resolves to " + destinations + ")", null);
        }
        return out;
    }

    /**
     * Checks every local address and port this binding may use for {@code destinations} against the
     * policy (one {@code tcp-bind} access per family and port).
     *
     * @throws NotAllowedException the policy's refusal of the first one not allowed; for a range it
     *             says that every port of the range needs a grant
     */
    void check(SocketPolicy policy, Owner owner, List<InetAddress> destinations) throws NotAllowedException {
        boolean v4 = false;
        boolean v6 = false;
        for (InetAddress d : destinations) {
            v4 |= d instanceof Inet4Address;
            v6 |= d instanceof Inet6Address;
        }
        for (InetAddress local : address != null ? List.of(address) : wildcards(v4, v6)) {
            String localText = Addresses.text(local);
            for (int p = first; p <= last; p++) {
                try {
                    policy.check(owner, new Access(AccessKind.TCP_BIND, localText, null, new InetSocketAddress(local, p)));
                } catch (NotAllowedException e) {
                    if (first == last) {
                        throw e;
                    }
                    throw new NotAllowedException(e.getMessage() + " The connection binds a free local port of "
                            + first + "-" + last + ", so each of them needs the grant: its ports field lists them all ("
                            + list() + "); a range does not lift the privileged-port denial.");
                }
            }
        }
    }

    private String list() {
        StringBuilder b = new StringBuilder();
        for (int p = first; p <= last; p++) {
            b.append(p == first ? "" : ",").append(p);
        }
        return b.toString();
    }

    private static List<InetAddress> wildcards(boolean v4, boolean v6) {
        List<InetAddress> out = new ArrayList<>(2);
        try {
            if (v4 || !v6) {
                out.add(InetAddress.getByAddress(new byte[4]));
            }
            if (v6) {
                out.add(InetAddress.getByAddress(new byte[16]));
            }
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException(e); // never: the lengths are right
        }
        return out;
    }

    /**
     * The local address for the next connect attempt to {@code remote}, or null when every port of
     * the range was handed out in this open.
     */
    synchronized InetSocketAddress next(InetSocketAddress remote) {
        if (first != 0 && next > last) {
            return null;
        }
        int port = first == 0 ? 0 : next++;
        InetAddress local = address;
        if (local == null) {
            local = wildcards(!(remote.getAddress() instanceof Inet6Address), remote.getAddress() instanceof Inet6Address).get(0);
        }
        return new InetSocketAddress(local, port);
    }

    /** Whether it binds a port of a range of more than one port. */
    boolean isRange() {
        return last > first;
    }

    /** Whether another port can be tried after a bind failure. */
    synchronized boolean portsLeft() {
        return first != 0 && next <= last;
    }
}
