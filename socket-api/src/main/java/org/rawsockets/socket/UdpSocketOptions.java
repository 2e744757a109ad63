package org.rawsockets.socket;

import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Options of {@link SocketService#openUdp(UdpSocketOptions)} (Direct Sockets
 * {@code UDPSocketOptions}). Exactly one mode:
 * <ul>
 * <li><b>connected</b>: {@link Builder#remote(String, int)}; every message goes to that peer and
 * only its datagrams are received;</li>
 * <li><b>bound</b>: {@link Builder#local(String, int)}; every message sent names its destination
 * (a host name is resolved per send) and every message received carries its source.</li>
 * </ul>
 * Immutable; every setter checks its argument at once ({@link IllegalArgumentException}).
 */
public final class UdpSocketOptions {

    private final String remoteAddress;
    private final int remotePort;
    private final String localAddress;
    private final int localPort;
    private final DnsQueryType dnsQueryType;
    private final int sendBufferSize;
    private final int receiveBufferSize;
    private final int multicastTimeToLive;
    private final boolean multicastLoopback;
    private final boolean multicastAllowAddressSharing;
    private final String multicastInterface;

    private UdpSocketOptions(Builder b) {
        this.remoteAddress = b.remoteAddress;
        this.remotePort = b.remotePort;
        this.localAddress = b.localAddress;
        this.localPort = b.localPort;
        this.dnsQueryType = b.dnsQueryType;
        this.sendBufferSize = b.sendBufferSize;
        this.receiveBufferSize = b.receiveBufferSize;
        this.multicastTimeToLive = b.multicastTimeToLive;
        this.multicastLoopback = b.multicastLoopback;
        this.multicastAllowAddressSharing = b.multicastAllowAddressSharing;
        this.multicastInterface = b.multicastInterface;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Connected mode to {@code host:port}. */
    public static UdpSocketOptions connected(String host, int port) {
        return builder().remote(host, port).build();
    }

    /** Bound mode on {@code address:port} (port 0: ephemeral). */
    public static UdpSocketOptions bound(String address, int port) {
        return builder().local(address, port).build();
    }

    public Builder toBuilder() {
        Builder b = new Builder();
        b.remoteAddress = remoteAddress;
        b.remotePort = remotePort;
        b.localAddress = localAddress;
        b.localPort = localPort;
        b.dnsQueryType = dnsQueryType;
        b.sendBufferSize = sendBufferSize;
        b.receiveBufferSize = receiveBufferSize;
        b.multicastTimeToLive = multicastTimeToLive;
        b.multicastLoopback = multicastLoopback;
        b.multicastAllowAddressSharing = multicastAllowAddressSharing;
        b.multicastInterface = multicastInterface;
        return b;
    }

    /** Whether this is connected mode. */
    public boolean isConnected() {
        return remoteAddress != null;
    }

    public Optional<String> remoteAddress() {
        return Optional.ofNullable(remoteAddress);
    }

    /** The remote port in connected mode, 0 in bound mode. */
    public int remotePort() {
        return remotePort;
    }

    public Optional<String> localAddress() {
        return Optional.ofNullable(localAddress);
    }

    /** The local port in bound mode (0: ephemeral). */
    public int localPort() {
        return localPort;
    }

    public DnsQueryType dnsQueryType() {
        return dnsQueryType;
    }

    public OptionalInt sendBufferSize() {
        return sendBufferSize == 0 ? OptionalInt.empty() : OptionalInt.of(sendBufferSize);
    }

    public OptionalInt receiveBufferSize() {
        return receiveBufferSize == 0 ? OptionalInt.empty() : OptionalInt.of(receiveBufferSize);
    }

    /** IP_MULTICAST_TTL / hop limit, 0..255 (default 1: the local network only). */
    public int multicastTimeToLive() {
        return multicastTimeToLive;
    }

    /** IP_MULTICAST_LOOP (default {@code true}). */
    public boolean multicastLoopback() {
        return multicastLoopback;
    }

    /** SO_REUSEADDR, so several sockets can bind the same group port (default {@code false}). */
    public boolean multicastAllowAddressSharing() {
        return multicastAllowAddressSharing;
    }

    /** The network interface (by name, e.g. {@code lo}) for multicast, when set. */
    public Optional<String> multicastInterface() {
        return Optional.ofNullable(multicastInterface);
    }

    @Override
    public String toString() {
        return "UdpSocketOptions[" + (isConnected() ? "remote=" + remoteAddress + ":" + remotePort
                : "local=" + localAddress + ":" + localPort) + ", dnsQueryType=" + dnsQueryType + "]";
    }

    /** Builds {@link UdpSocketOptions}. */
    public static final class Builder {
        private String remoteAddress;
        private int remotePort;
        private String localAddress;
        private int localPort;
        private DnsQueryType dnsQueryType = DnsQueryType.ANY;
        private int sendBufferSize;
        private int receiveBufferSize;
        private int multicastTimeToLive = 1;
        private boolean multicastLoopback = true;
        private boolean multicastAllowAddressSharing;
        private String multicastInterface;

        private Builder() {
        }

        /** Connected mode: {@code port} 1..65535. */
        public Builder remote(String host, int port) {
            this.remoteAddress = Checks.host("remoteAddress", host);
            this.remotePort = Checks.port("remotePort", port, 1);
            return this;
        }

        /** Bound mode: an IP literal (or {@code 0.0.0.0}/{@code ::}), {@code port} 0..65535. */
        public Builder local(String address, int port) {
            this.localAddress = Checks.host("localAddress", address);
            this.localPort = Checks.port("localPort", port, 0);
            return this;
        }

        public Builder dnsQueryType(DnsQueryType dnsQueryType) {
            this.dnsQueryType = Objects.requireNonNull(dnsQueryType, "dnsQueryType");
            return this;
        }

        public Builder sendBufferSize(int bytes) {
            this.sendBufferSize = Checks.positive("sendBufferSize", bytes);
            return this;
        }

        public Builder receiveBufferSize(int bytes) {
            this.receiveBufferSize = Checks.positive("receiveBufferSize", bytes);
            return this;
        }

        public Builder multicastTimeToLive(int ttl) {
            if (ttl < 0 || ttl > 255) {
                throw new IllegalArgumentException("multicastTimeToLive must be in 0..255, was " + ttl);
            }
            this.multicastTimeToLive = ttl;
            return this;
        }

        public Builder multicastLoopback(boolean loopback) {
            this.multicastLoopback = loopback;
            return this;
        }

        public Builder multicastAllowAddressSharing(boolean share) {
            this.multicastAllowAddressSharing = share;
            return this;
        }

        public Builder multicastInterface(String interfaceName) {
            if (interfaceName != null && interfaceName.isBlank()) {
                throw new IllegalArgumentException("multicastInterface must be an interface name such as 'lo', was blank");
            }
            this.multicastInterface = interfaceName;
            return this;
        }

        public UdpSocketOptions build() {
            if ((remoteAddress == null) == (localAddress == null)) {
                throw new IllegalArgumentException("UDP options need exactly one of remote(host, port) (connected mode)"
                        + " or local(address, port) (bound mode)");
            }
            return new UdpSocketOptions(this);
        }
    }
}
