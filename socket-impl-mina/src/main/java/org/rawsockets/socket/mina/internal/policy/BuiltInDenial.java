package org.rawsockets.socket.mina.internal.policy;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * Accesses refused even when a declaration and a broad grant cover them. Only an explicit operator
 * grant lifts one: for address denials a grant whose destination is an IP or CIDR block inside the
 * denied block (so neither {@code *}, nor {@code 0.0.0.0/0}, nor a host name that happens to
 * resolve there); for port denials a grant that names the port itself (not {@code *}, not a range
 * around it: {@link PortSet#namesExplicitly(int)}).
 *
 * <p>IPv6 forms that carry an IPv4 address to an IPv4 host (IPv4-compatible, SIIT, NAT64 and 6to4,
 * see {@link Ip#embedded()}) are mapped back: {@code 64:ff9b::a9fe:a9fe} is in the cloud-metadata
 * denial like 169.254.169.254, and only a grant naming that IPv6 form (or a block of it that maps
 * inside the denied IPv4 block) lifts it.
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
    /** Listening (TCP) or binding (UDP, the local end of TCP) on ports 1..1023. */
    PRIVILEGED_PORT("privileged-port", "listening or binding on ports 1..1023",
            EnumSet.of(AccessKind.TCP_LISTEN, AccessKind.TCP_BIND, AccessKind.UDP_BIND)),
    /**
     * Listening (TCP) or binding (UDP) on every interface (0.0.0.0, ::), which exposes the socket to
     * the network: lifted by a grant whose destination is that very address and whose ports contain
     * the port.
     */
    ALL_INTERFACES("all-interfaces", "listening or binding on all interfaces",
            EnumSet.of(AccessKind.TCP_LISTEN, AccessKind.UDP_BIND), "0.0.0.0", "::");

    private static final BuiltInDenial[] ALL = values();

    private final String id;
    private final String description;
    private final Set<AccessKind> kinds;
    private final List<Cidr> blocks;
    private final Cidr[] blockArray;

    BuiltInDenial(String id, String description, Set<AccessKind> kinds, String... blocks) {
        this.id = id;
        this.description = description;
        this.kinds = kinds;
        this.blocks = java.util.Arrays.stream(blocks).map(Cidr::parse).toList();
        this.blockArray = this.blocks.toArray(new Cidr[0]);
    }

    private static Set<AccessKind> peerKinds() {
        return EnumSet.of(AccessKind.TCP_CONNECT, AccessKind.UDP_CONNECTED, AccessKind.UDP_SEND, AccessKind.UDP_RECEIVE);
    }

    /** Every denial, without the copy {@code values()} makes. */
    static BuiltInDenial[] all() {
        return ALL;
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
        java.net.InetAddress a = access.address().getAddress();
        return applies(access.kind(), a == null ? null : Ip.of(a), access.address().getPort());
    }

    /** Allocation-free {@link #applies(Access)}. */
    boolean applies(AccessKind kind, Ip ip, int port) {
        if (!kinds.contains(kind)) {
            return false;
        }
        return switch (this) {
            case SMTP -> port == 25 && ip != null && !LOOPBACK.containsDirectly(ip);
            case PRIVILEGED_PORT -> port >= 1 && port <= 1023;
            case ALL_INTERFACES -> ip != null && containsDirectly(ip);
            default -> ip != null && (containsDirectly(ip) || ip.embedded() != null && containsDirectly(ip.embedded()));
        };
    }

    private boolean containsDirectly(Ip ip) {
        for (Cidr c : blockArray) {
            if (c.contains(ip)) {
                return true;
            }
        }
        return false;
    }

    /** Whether {@code grant} (which covers the access) explicitly lifts this denial for it. */
    public boolean liftedBy(Rule grant, Access access) {
        java.net.InetAddress a = access.address().getAddress();
        return liftedBy(grant, a == null ? null : Ip.of(a), access.address().getPort());
    }

    /** Allocation-free {@link #liftedBy(Rule, Access)}. */
    boolean liftedBy(Rule grant, Ip ip, int port) {
        switch (this) {
            case SMTP, PRIVILEGED_PORT:
                return grant.ports().namesExplicitly(port);
            case ALL_INTERFACES:
                return grant.destination() instanceof Destination.Block b && ip != null && b.cidr().contains(ip)
                        && b.cidr().isUnspecifiedAddress() && grant.ports().contains(port);
            default:
                break;
        }
        if (ip == null) {
            return false;
        }
        if (grant.destination() instanceof Destination.Block b) {
            for (Cidr c : blockArray) {
                if (c.contains(ip) && c.containsAll(b.cidr())) {
                    return true;
                }
            }
            Ip embedded = ip.embedded();
            Cidr mapped = embedded == null ? null : b.cidr().embeddedV4();
            if (mapped != null) {
                for (Cidr c : blockArray) {
                    if (c.contains(embedded) && c.containsAll(mapped)) {
                        return true;
                    }
                }
            }
            return false;
        }
        return this == LOOPBACK && containsDirectly(ip)
                && grant.destination() instanceof Destination.HostGlob h && h.pattern().equals("localhost");
    }
}
