package org.rawsockets.socket;

import java.util.Objects;

/**
 * Options of {@link SocketService#listenTcp(TcpServerSocketOptions)} (Direct Sockets
 * {@code TCPServerSocketOptions}). Immutable; checked at once.
 */
public final class TcpServerSocketOptions {

    private final String localAddress;
    private final int localPort;
    private final int backlog;
    private final TcpSocketOptions acceptedOptions;

    private TcpServerSocketOptions(Builder b) {
        this.localAddress = b.localAddress;
        this.localPort = b.localPort;
        this.backlog = b.backlog;
        this.acceptedOptions = b.acceptedOptions;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Listen on {@code address:port} (port 0: ephemeral) with the default backlog. */
    public static TcpServerSocketOptions of(String address, int port) {
        return builder().local(address, port).build();
    }

    /** IP literal to bind ({@code 0.0.0.0}/{@code ::} for all). */
    public String localAddress() {
        return localAddress;
    }

    /** Port, 0 for an ephemeral one (see {@link TcpServerSocket#opened()} for the actual one). */
    public int localPort() {
        return localPort;
    }

    /** Pending connection queue length (default 128). */
    public int backlog() {
        return backlog;
    }

    /** Options applied to accepted connections (noDelay, keepAliveDelay, buffer sizes, allowHalfOpen). */
    public TcpSocketOptions acceptedOptions() {
        return acceptedOptions;
    }

    @Override
    public String toString() {
        return "TcpServerSocketOptions[local=" + localAddress + ":" + localPort + ", backlog=" + backlog + "]";
    }

    /** Builds {@link TcpServerSocketOptions}. */
    public static final class Builder {
        private String localAddress;
        private int localPort;
        private int backlog = 128;
        private TcpSocketOptions acceptedOptions = TcpSocketOptions.defaults();

        private Builder() {
        }

        public Builder local(String address, int port) {
            this.localAddress = Checks.host("localAddress", address);
            this.localPort = Checks.port("localPort", port, 0);
            return this;
        }

        /** &gt; 0. */
        public Builder backlog(int backlog) {
            this.backlog = Checks.positive("backlog", backlog);
            return this;
        }

        public Builder acceptedOptions(TcpSocketOptions options) {
            this.acceptedOptions = Objects.requireNonNull(options, "acceptedOptions");
            if (options.tls().mode() != TlsMode.OFF) {
                throw new IllegalArgumentException("acceptedOptions tls must be OFF: server-side TLS is not supported");
            }
            return this;
        }

        public TcpServerSocketOptions build() {
            if (localAddress == null) {
                throw new IllegalArgumentException("localAddress is required: local(address, port)");
            }
            return new TcpServerSocketOptions(this);
        }
    }
}
