package org.rawsockets.socket.mina.internal.policy;

import java.net.InetAddress;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * Accesses refused even when a declaration and a broad grant cover them. Only an explicit operator
 * grant lifts one: for address denials a grant whose destination is an IP or CIDR block inside the
 * denied block (so neither {@code *}, nor {@code 0.0.0.0/0}, nor a host name that happens to
 * resolve there); for port denials a grant that lists the port (not {@code *}).
 */
public enum BuiltInDenial {

    /** 169.254.0.0/16, fe80::/10: link-local, where cloud metadata and device admin services live. */
    LINK_LOCAL("link-local", "link-local addresses", peerKinds(), "169.254.0.0/16", "fe80::/10"),
    /** Cloud instance metadata services (credentials!): AWS, GCP, Azure, Alibaba; IPv4 and IPv6. */
    CLOUD_METADATA("cloud-metadata", "cloud instance metadata services", peerKinds(), "169.254.169.254",
            "fd00:ec2::254", "fd20:ce::254", "168.63.129.16", "100.100.100.200"),
    /** 127.0.0.0/8, ::1: services of this machine. Lifted by the default grants (or 'localhost'). */
    LOOPBACK("loopback", "loopback (this machine's own services)", peerKinds(), "127.0.0.0/8", "::1"),
    /** 0.0.0.0/8, ::: as a destination these reach this machine too. */
    UNSPECIFIED("unspecified", "the unspecified address as a destination", peerKinds(), "0.0.0.0/8", "::"),
    /** 255.255.255.255: limited broadcast. */
    BROADCAST("broadcast", "the limited broadcast address", EnumSet.of(AccessKind.UDP_SEND, AccessKind.UDP_CONNECTED),
            "255.255.255.255"),
    /** TCP to port 25 (SMTP relay/MX) beyond loopback: the classic spam channel. */
    SMTP("smtp-port-25", "outbound TCP to port 25 beyond loopback", EnumSet.of(AccessKind.TCP_CONNECT)),
    /** Listening (TCP) or binding (UDP) on ports 1..1023. */
    PRIVILEGED_PORT("privileged-port", "listening on ports 1..1023", EnumSet.of(AccessKind.TCP_LISTEN, AccessKind.UDP_BIND));

    private final String id;
    private final String description;
    private final Set<AccessKind> kinds;
    private final List<Cidr> blocks;

    BuiltInDenial(String id, String description, Set<AccessKind> kinds, String... blocks) {
        this.id = id;
        this.description = description;
        this.kinds = kinds;
        this.blocks = java.util.Arrays.stream(blocks).map(Cidr::parse).toList();
    }

    private static Set<AccessKind> peerKinds() {
        return EnumSet.of(AccessKind.TCP_CONNECT, AccessKind.UDP_CONNECTED, AccessKind.UDP_SEND, AccessKind.UDP_RECEIVE);
    }

    public String id() {
        return id;
    }

    public String description() {
        return description;
    }

    /** The blocks of an address denial (empty for port denials). */
    public List<Cidr> blocks() {
        return blocks;
    }

    /** Whether this denial applies to the access. */
    public boolean applies(Access access) {
        if (!kinds.contains(access.kind())) {
            return false;
        }
        InetAddress a = access.address().getAddress();
        int port = access.address().getPort();
        return switch (this) {
            case SMTP -> port == 25 && a != null && !LOOPBACK.containsAddress(a);
            case PRIVILEGED_PORT -> port >= 1 && port <= 1023;
            default -> a != null && containsAddress(a);
        };
    }

    private boolean containsAddress(InetAddress a) {
        for (Cidr c : blocks) {
            if (c.contains(a)) {
                return true;
            }
        }
        return false;
    }

    /** Whether {@code grant} (which covers the access) explicitly lifts this denial for it. */
    public boolean liftedBy(Rule grant, Access access) {
        return switch (this) {
            case SMTP, PRIVILEGED_PORT -> grant.ports().namesExplicitly(access.address().getPort());
            default -> {
                if (grant.destination() instanceof Destination.Block b) {
                    for (Cidr c : blocks) {
                        if (c.contains(access.address().getAddress()) && c.containsAll(b.cidr())) {
                            yield true;
                        }
                    }
                    yield false;
                }
                yield this == LOOPBACK && grant.destination() instanceof Destination.HostGlob h
                        && h.pattern().equals("localhost");
            }
        };
    }
}
