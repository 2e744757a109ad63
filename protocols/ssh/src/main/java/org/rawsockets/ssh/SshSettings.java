package org.rawsockets.ssh;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Where and how to connect: the server (a host and port, or a named endpoint of the socket service),
 * the user and credentials, the host key check, the time limit.
 *
 * <pre>{@code
 * SshSettings s = SshSettings.builder().host("router.lan").user("admin")
 *         .keyFile(Path.of("etc/ssh/id_ed25519")).knownHosts(Path.of("etc/ssh/known_hosts")).build();
 * }</pre>
 */
public final class SshSettings {

    private final String host;
    private final int port;
    private final String endpoint;
    private final String user;
    private final Supplier<String> password;
    private final List<Path> keyFiles;
    private final Supplier<String> passphrase;
    private final Path knownHosts;
    private final HostKeyMode hostKeyMode;
    private final Duration connectTimeout;
    private final Duration keepAliveInterval;
    private final SshSettings jump;

    private SshSettings(Builder b) {
        this.host = b.host;
        this.port = b.port;
        this.endpoint = b.endpoint;
        this.user = b.user;
        this.password = b.password;
        this.keyFiles = List.copyOf(b.keyFiles);
        this.passphrase = b.passphrase;
        this.knownHosts = b.knownHosts;
        this.hostKeyMode = b.hostKeyMode;
        this.connectTimeout = b.connectTimeout;
        this.keepAliveInterval = b.keepAliveInterval;
        this.jump = b.jump;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The server's host name or IP literal; empty when {@link #endpoint()} names it. */
    public Optional<String> host() {
        return Optional.ofNullable(host);
    }

    /** The server's port (22 by default; ignored with an endpoint, whose port applies). */
    public int port() {
        return port;
    }

    /** A named endpoint of the socket service (the operator's address and port), instead of a host. */
    public Optional<String> endpoint() {
        return Optional.ofNullable(endpoint);
    }

    public String user() {
        return user;
    }

    /** The password, asked for at each connect (so a secret can change); empty when none. */
    public Optional<Supplier<String>> password() {
        return Optional.ofNullable(password);
    }

    /** OpenSSH private key files (ed25519, ecdsa, rsa), tried in order. */
    public List<Path> keyFiles() {
        return keyFiles;
    }

    /** The passphrase of encrypted key files; empty when they are not encrypted. */
    public Optional<Supplier<String>> passphrase() {
        return Optional.ofNullable(passphrase);
    }

    /** The OpenSSH known_hosts file; empty: none (every host is unknown). */
    public Optional<Path> knownHosts() {
        return Optional.ofNullable(knownHosts);
    }

    public HostKeyMode hostKeyMode() {
        return hostKeyMode;
    }

    /** The limit for the TCP connect, key exchange and authentication together (30 s by default). */
    public Duration connectTimeout() {
        return connectTimeout;
    }

    /** Interval of {@code keepalive@openssh.com} requests; zero: none (the default). */
    public Duration keepAliveInterval() {
        return keepAliveInterval;
    }

    /**
     * The bastion to go through ({@code ProxyJump}): its own settings (which may have a bastion
     * again); empty for a direct connection.
     */
    public Optional<SshSettings> jump() {
        return Optional.ofNullable(jump);
    }

    /** {@code user@host:port} or {@code user@endpoint}, for messages. */
    public String target() {
        return user + "@" + (endpoint != null ? "endpoint " + endpoint : hostPort());
    }

    /** {@code host:port} ({@code [v6]:port}), or the endpoint's name. */
    public String hostPort() {
        if (endpoint != null) {
            return "endpoint " + endpoint;
        }
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }

    @Override
    public String toString() {
        return "SshSettings[" + target() + (jump == null ? "" : " via " + jump.target()) + ", keys=" + keyFiles
                + ", password=" + (password == null ? "none" : "***")
                + ", knownHosts=" + knownHosts + ", mode=" + hostKeyMode.configName() + "]";
    }

    /** Builds {@link SshSettings}; {@link #build()} checks the rules. */
    public static final class Builder {
        private String host;
        private int port = 22;
        private String endpoint;
        private String user;
        private Supplier<String> password;
        private final java.util.ArrayList<Path> keyFiles = new java.util.ArrayList<>();
        private Supplier<String> passphrase;
        private Path knownHosts;
        private HostKeyMode hostKeyMode = HostKeyMode.STRICT;
        private Duration connectTimeout = Duration.ofSeconds(30);
        private Duration keepAliveInterval = Duration.ZERO;
        private SshSettings jump;

        private Builder() {
        }

        public Builder host(String host) {
            this.host = host;
            return this;
        }

        public Builder port(int port) {
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("port must be 1..65535, was " + port);
            }
            this.port = port;
            return this;
        }

        public Builder endpoint(String endpoint) {
            this.endpoint = endpoint;
            return this;
        }

        public Builder user(String user) {
            this.user = user;
            return this;
        }

        public Builder password(String password) {
            Objects.requireNonNull(password, "password");
            return password(() -> password);
        }

        public Builder password(Supplier<String> password) {
            this.password = password;
            return this;
        }

        public Builder keyFile(Path keyFile) {
            this.keyFiles.add(Objects.requireNonNull(keyFile, "keyFile"));
            return this;
        }

        public Builder passphrase(String passphrase) {
            Objects.requireNonNull(passphrase, "passphrase");
            return passphrase(() -> passphrase);
        }

        public Builder passphrase(Supplier<String> passphrase) {
            this.passphrase = passphrase;
            return this;
        }

        public Builder knownHosts(Path knownHosts) {
            this.knownHosts = knownHosts;
            return this;
        }

        public Builder hostKeyMode(HostKeyMode mode) {
            this.hostKeyMode = Objects.requireNonNull(mode, "hostKeyMode");
            return this;
        }

        public Builder connectTimeout(Duration timeout) {
            if (timeout.toMillis() < 1) {
                throw new IllegalArgumentException("connectTimeout must be at least 1 ms, was " + timeout);
            }
            this.connectTimeout = timeout;
            return this;
        }

        public Builder keepAliveInterval(Duration interval) {
            if (interval.isNegative()) {
                throw new IllegalArgumentException("keepAliveInterval must not be negative, was " + interval);
            }
            this.keepAliveInterval = interval;
            return this;
        }

        /**
         * Connects through {@code bastion} ({@code ssh -J}): the gateway's socket goes to the bastion
         * only (the policy checks it); this server is reached in a {@code direct-tcpip} channel of the
         * bastion's session, with its own host key check and authentication end to end. The host name
         * is given to the bastion, which resolves it; a named endpoint cannot be used behind a bastion.
         */
        public Builder jump(SshSettings bastion) {
            this.jump = bastion;
            return this;
        }

        /**
         * @throws IllegalArgumentException naming the rule: a user; exactly one of host and endpoint;
         *             a password or a key file; a known_hosts file unless the mode is {@code off}
         */
        public SshSettings build() {
            if (user == null || user.isBlank()) {
                throw new IllegalArgumentException("user is required");
            }
            if ((host == null || host.isBlank()) == (endpoint == null || endpoint.isBlank())) {
                throw new IllegalArgumentException("exactly one of host and endpoint is required");
            }
            if (password == null && keyFiles.isEmpty()) {
                throw new IllegalArgumentException("a password or a key file is required for user " + user);
            }
            if (knownHosts == null && hostKeyMode != HostKeyMode.OFF) {
                throw new IllegalArgumentException("a known_hosts file is required with host key mode "
                        + hostKeyMode.configName() + " (it may not exist yet with accept-new)");
            }
            if (jump != null && endpoint != null) {
                throw new IllegalArgumentException("a named endpoint cannot be reached through a bastion: give the host"
                        + " as the bastion sees it");
            }
            return new SshSettings(this);
        }
    }
}
