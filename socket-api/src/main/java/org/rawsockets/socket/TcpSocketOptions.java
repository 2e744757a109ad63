package org.rawsockets.socket;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Options of {@link SocketService#openTcp(String, int, TcpSocketOptions)} (Direct Sockets
 * {@code TCPSocketOptions}). Immutable; build with {@link #builder()}. Every setter checks its
 * argument at once and throws {@link IllegalArgumentException} naming the option and the rule.
 */
public final class TcpSocketOptions {

    private static final TcpSocketOptions DEFAULTS = builder().build();

    private final boolean noDelay;
    private final Duration keepAliveDelay;
    private final int sendBufferSize;
    private final int receiveBufferSize;
    private final DnsQueryType dnsQueryType;
    private final Duration connectTimeout;
    private final Duration closeTimeout;
    private final boolean allowHalfOpen;
    private final Duration idleTimeout;
    private final TlsOptions tls;
    private final String localAddress;
    private final int localPortFirst;
    private final int localPortLast;

    private TcpSocketOptions(Builder b) {
        this.noDelay = b.noDelay;
        this.keepAliveDelay = b.keepAliveDelay;
        this.sendBufferSize = b.sendBufferSize;
        this.receiveBufferSize = b.receiveBufferSize;
        this.dnsQueryType = b.dnsQueryType;
        this.connectTimeout = b.connectTimeout;
        this.closeTimeout = b.closeTimeout;
        this.allowHalfOpen = b.allowHalfOpen;
        this.idleTimeout = b.idleTimeout;
        this.tls = b.tls;
        this.localAddress = b.localAddress;
        this.localPortFirst = b.localPortFirst;
        this.localPortLast = b.localPortLast;
    }

    /** No options set: the service's defaults. */
    public static TcpSocketOptions defaults() {
        return DEFAULTS;
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        Builder b = new Builder();
        b.noDelay = noDelay;
        b.keepAliveDelay = keepAliveDelay;
        b.sendBufferSize = sendBufferSize;
        b.receiveBufferSize = receiveBufferSize;
        b.dnsQueryType = dnsQueryType;
        b.connectTimeout = connectTimeout;
        b.closeTimeout = closeTimeout;
        b.allowHalfOpen = allowHalfOpen;
        b.idleTimeout = idleTimeout;
        b.tls = tls;
        b.localAddress = localAddress;
        b.localPortFirst = localPortFirst;
        b.localPortLast = localPortLast;
        return b;
    }

    /** TCP_NODELAY (default {@code false}). */
    public boolean noDelay() {
        return noDelay;
    }

    /**
     * Keep-alive idle time; when present SO_KEEPALIVE is on and TCP_KEEPIDLE/TCP_KEEPINTERVAL are set
     * to it where the platform supports them.
     */
    public Optional<Duration> keepAliveDelay() {
        return Optional.ofNullable(keepAliveDelay);
    }

    /** SO_SNDBUF, when set. */
    public OptionalInt sendBufferSize() {
        return sendBufferSize == 0 ? OptionalInt.empty() : OptionalInt.of(sendBufferSize);
    }

    /** SO_RCVBUF, when set. */
    public OptionalInt receiveBufferSize() {
        return receiveBufferSize == 0 ? OptionalInt.empty() : OptionalInt.of(receiveBufferSize);
    }

    /** Address family used to resolve the host (default {@link DnsQueryType#ANY}). */
    public DnsQueryType dnsQueryType() {
        return dnsQueryType;
    }

    /** Limit on resolve + connect + TLS handshake; empty: the service's configured default. */
    public Optional<Duration> connectTimeout() {
        return Optional.ofNullable(connectTimeout);
    }

    /**
     * Close linger: the longest {@link TcpSocket#close()} (and {@link TcpWritable#close()}) waits for
     * the queued bytes, and with TLS the close_notify, to be sent before the connection is reset
     * instead; {@code closed()} (and the writable's close stage) then fails with
     * {@link TimedOutException} naming the socket and the limit. Empty: the service's configured
     * default (30 s unless the operator changed it).
     *
     * @since 1.1
     */
    public Optional<Duration> closeTimeout() {
        return Optional.ofNullable(closeTimeout);
    }

    /**
     * Whether the socket stays open for writing after the peer's FIN (default {@code false}: the
     * peer's FIN closes the socket once the readable side is consumed, as in Direct Sockets).
     */
    public boolean allowHalfOpen() {
        return allowHalfOpen;
    }

    /**
     * Idle limit: once the socket is open, when no byte moved in either direction (received from the
     * network or written to it) for this long, the socket is closed: pending and later reads,
     * pending writes and {@link TcpSocket#closed()} fail with {@link TimedOutException} naming the
     * socket and the limit. It is noticed at most a quarter of the limit late. Empty (the default):
     * no idle limit. Bytes received but not read yet count as movement: a slow reader is not idle.
     *
     * @since 1.1
     */
    public Optional<Duration> idleTimeout() {
        return Optional.ofNullable(idleTimeout);
    }

    /** TLS settings (default {@link TlsOptions#off()}). */
    public TlsOptions tls() {
        return tls;
    }

    /**
     * The local IP address the connection binds before connecting (an address of this machine);
     * empty (the default): the operating system picks it from the route.
     *
     * @since 1.4
     */
    public Optional<String> localAddress() {
        return Optional.ofNullable(localAddress);
    }

    /**
     * The first port of the local port range the connection binds before connecting; 0 (the
     * default): an ephemeral port the operating system picks. See
     * {@link Builder#localPorts(int, int)}.
     *
     * @since 1.4
     */
    public int localPortFirst() {
        return localPortFirst;
    }

    /**
     * The last port of the local port range (equal to {@link #localPortFirst()} for one port; 0 when
     * none is set).
     *
     * @since 1.4
     */
    public int localPortLast() {
        return localPortLast;
    }

    @Override
    public String toString() {
        return "TcpSocketOptions[noDelay=" + noDelay + ", keepAliveDelay=" + keepAliveDelay + ", sendBufferSize="
                + sendBufferSize + ", receiveBufferSize=" + receiveBufferSize + ", dnsQueryType=" + dnsQueryType
                + ", connectTimeout=" + connectTimeout + ", closeTimeout=" + closeTimeout + ", allowHalfOpen=" + allowHalfOpen + ", idleTimeout=" + idleTimeout + ", tls=" + tls
                + (localAddress == null && localPortFirst == 0 ? ""
                        : ", local=" + (localAddress == null ? "*" : localAddress) + ":" + localPortFirst
                                + (localPortLast != localPortFirst ? "-" + localPortLast : ""))
                + "]";
    }

    /** Builds {@link TcpSocketOptions}. */
    public static final class Builder {
        private boolean noDelay;
        private Duration keepAliveDelay;
        private int sendBufferSize;
        private int receiveBufferSize;
        private DnsQueryType dnsQueryType = DnsQueryType.ANY;
        private Duration connectTimeout;
        private Duration closeTimeout;
        private boolean allowHalfOpen;
        private Duration idleTimeout;
        private TlsOptions tls = TlsOptions.off();
        private String localAddress;
        private int localPortFirst;
        private int localPortLast;

        private Builder() {
        }

        public Builder noDelay(boolean noDelay) {
            this.noDelay = noDelay;
            return this;
        }

        /** At least 1 second; {@code null} turns keep-alive off. */
        public Builder keepAliveDelay(Duration keepAliveDelay) {
            this.keepAliveDelay = keepAliveDelay == null ? null
                    : Checks.atLeast("keepAliveDelay", keepAliveDelay, Duration.ofSeconds(1));
            return this;
        }

        /** &gt; 0. */
        public Builder sendBufferSize(int bytes) {
            this.sendBufferSize = Checks.positive("sendBufferSize", bytes);
            return this;
        }

        /** &gt; 0. */
        public Builder receiveBufferSize(int bytes) {
            this.receiveBufferSize = Checks.positive("receiveBufferSize", bytes);
            return this;
        }

        public Builder dnsQueryType(DnsQueryType dnsQueryType) {
            this.dnsQueryType = Objects.requireNonNull(dnsQueryType, "dnsQueryType");
            return this;
        }

        /** At least 1 ms; {@code null} for the service default. */
        public Builder connectTimeout(Duration connectTimeout) {
            this.connectTimeout = connectTimeout == null ? null
                    : Checks.atLeast("connectTimeout", connectTimeout, Duration.ofMillis(1));
            return this;
        }

        /**
         * At least 1 ms; {@code null} for the service default. See {@link TcpSocketOptions#closeTimeout()}.
         *
         * @since 1.1
         */
        public Builder closeTimeout(Duration closeTimeout) {
            this.closeTimeout = closeTimeout == null ? null
                    : Checks.atLeast("closeTimeout", closeTimeout, Duration.ofMillis(1));
            return this;
        }

        /**
         * At least 1 ms; {@code null} for none. See {@link TcpSocketOptions#idleTimeout()}.
         *
         * @since 1.1
         */
        public Builder idleTimeout(Duration idleTimeout) {
            this.idleTimeout = idleTimeout == null ? null
                    : Checks.atLeast("idleTimeout", idleTimeout, Duration.ofMillis(1));
            return this;
        }

        public Builder allowHalfOpen(boolean allowHalfOpen) {
            this.allowHalfOpen = allowHalfOpen;
            return this;
        }

        public Builder tls(TlsOptions tls) {
            this.tls = Objects.requireNonNull(tls, "tls");
            return this;
        }

        /**
         * Binds the connection's local end to this IP address of this machine (no host names: a
         * literal IPv4 or IPv6 address) before connecting; {@code null} (the default) lets the
         * operating system pick it. An address of another family than the destination's, or one this
         * machine does not have, fails the open with {@link NetworkException.Reason#LOCAL_ADDRESS}.
         *
         * @since 1.4
         */
        public Builder localAddress(String address) {
            this.localAddress = address == null ? null : Checks.host("localAddress", address);
            return this;
        }

        /**
         * Binds the connection's local end to port {@code port} (1..65535) before connecting; see
         * {@link #localPorts(int, int)}.
         *
         * @since 1.4
         */
        public Builder localPort(int port) {
            return localPorts(port, port);
        }

        /**
         * Binds the connection's local end to the first port of {@code first..last} that is free
         * before connecting, as protocols that authenticate clients by a reserved source port
         * require (LPD, RFC 1179: 721..731). Each port is tried at most once per open; when none of
         * them can be bound (all in use, or in TIME_WAIT from earlier connections) the open fails with
         * {@link NetworkException.Reason#LOCAL_ADDRESS} naming the range. The socket policy must allow
         * every port of the range ({@code tcp-bind} grants); ports below 1024 also need the
         * process's privilege to bind them (root or {@code CAP_NET_BIND_SERVICE}). {@code (0, 0)}
         * clears it (an ephemeral port, the default).
         *
         * @since 1.4
         */
        public Builder localPorts(int first, int last) {
            if (first == 0 && last == 0) {
                this.localPortFirst = 0;
                this.localPortLast = 0;
                return this;
            }
            Checks.port("localPorts first", first, 1);
            Checks.port("localPorts last", last, first);
            this.localPortFirst = first;
            this.localPortLast = last;
            return this;
        }

        public TcpSocketOptions build() {
            return new TcpSocketOptions(this);
        }
    }
}
