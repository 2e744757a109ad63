package org.rawsockets.smtp;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

import org.rawsockets.socket.TlsOptions;

/**
 * Where and how to connect to one mail server. Immutable; build with {@link #builder()}. Every
 * setter checks its argument at once and throws {@link IllegalArgumentException} naming the setting
 * and the rule. {@link #toString()} never shows credentials.
 */
public final class SmtpSettings {

    private final String host;
    private final int port;
    private final String endpointName;
    private final SmtpTlsMode tlsMode;
    private final TlsOptions tls;
    private final SmtpCredentials credentials;
    private final boolean allowAuthWithoutTls;
    private final String clientName;
    private final Duration connectTimeout;
    private final Duration commandTimeout;
    private final Duration dataTimeout;
    private final Duration timeout;
    private final boolean pipelining;
    private final boolean chunking;
    private final int chunkSize;
    private final int maxReplyLineLength;
    private final int maxReplyLines;

    private SmtpSettings(Builder b) {
        this.host = b.host;
        this.port = b.port;
        this.endpointName = b.endpointName;
        this.tlsMode = b.tlsMode;
        this.tls = b.tls;
        this.credentials = b.credentials;
        this.allowAuthWithoutTls = b.allowAuthWithoutTls;
        this.clientName = b.clientName;
        this.connectTimeout = b.connectTimeout;
        this.commandTimeout = b.commandTimeout;
        this.dataTimeout = b.dataTimeout;
        this.timeout = b.timeout;
        this.pipelining = b.pipelining;
        this.chunking = b.chunking;
        this.chunkSize = b.chunkSize;
        this.maxReplyLineLength = b.maxReplyLineLength;
        this.maxReplyLines = b.maxReplyLines;
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        Builder b = new Builder();
        b.host = host;
        b.port = port;
        b.endpointName = endpointName;
        b.tlsMode = tlsMode;
        b.tls = tls;
        b.credentials = credentials;
        b.allowAuthWithoutTls = allowAuthWithoutTls;
        b.clientName = clientName;
        b.connectTimeout = connectTimeout;
        b.commandTimeout = commandTimeout;
        b.dataTimeout = dataTimeout;
        b.timeout = timeout;
        b.pipelining = pipelining;
        b.chunking = chunking;
        b.chunkSize = chunkSize;
        b.maxReplyLineLength = maxReplyLineLength;
        b.maxReplyLines = maxReplyLines;
        return b;
    }

    /** Host name or IP address; empty when a socket endpoint name is used. */
    public Optional<String> host() {
        return Optional.ofNullable(host);
    }

    /** Port: the configured one, else the default of the TLS mode. */
    public int port() {
        return port != 0 ? port : tlsMode.defaultPort();
    }

    /** Named socket endpoint (operator configured) used instead of host and port, if set. */
    public Optional<String> endpointName() {
        return Optional.ofNullable(endpointName);
    }

    public SmtpTlsMode tlsMode() {
        return tlsMode;
    }

    /** Trust, host name verification, SNI and client certificate for TLS; its mode is ignored. */
    public TlsOptions tls() {
        return tls;
    }

    public Optional<SmtpCredentials> credentials() {
        return Optional.ofNullable(credentials);
    }

    /** Whether credentials may be sent over a connection without TLS (default {@code false}). */
    public boolean allowAuthWithoutTls() {
        return allowAuthWithoutTls;
    }

    /** The name sent in EHLO/HELO (default {@code localhost}). */
    public String clientName() {
        return clientName;
    }

    /** Limit on connect + TLS handshake (default 30 s). */
    public Duration connectTimeout() {
        return connectTimeout;
    }

    /** Limit on each command's whole reply and each write (default 60 s). */
    public Duration commandTimeout() {
        return commandTimeout;
    }

    /** Limit on the reply after the message data (default 10 min, RFC 5321 4.5.3.2.6). */
    public Duration dataTimeout() {
        return dataTimeout;
    }

    /**
     * Overall limit on one operation, from the call to its result (default 15 min): opening a session
     * (connect, greeting, EHLO, STARTTLS, AUTH), each send (MAIL to the final reply, data included),
     * RSET, NOOP. The per-reply limits above cannot bound a server that trickles bytes; this does. At
     * the limit the connection is closed at once and the operation fails with
     * {@link org.rawsockets.socket.TimedOutException}.
     *
     * @since 1.1
     */
    public Duration timeout() {
        return timeout;
    }

    /** Whether to batch MAIL/RCPT/DATA when the server offers PIPELINING (default {@code true}). */
    public boolean pipelining() {
        return pipelining;
    }

    /** Whether to send with BDAT when the server offers CHUNKING (default {@code false}: opt-in). */
    public boolean chunking() {
        return chunking;
    }

    /** Bytes read from the message per write, and per BDAT chunk (default 256 KiB). */
    public int chunkSize() {
        return chunkSize;
    }

    /** Longest reply line accepted, in bytes without CRLF (default 2048). */
    public int maxReplyLineLength() {
        return maxReplyLineLength;
    }

    /** Most lines accepted in one reply (default 256). */
    public int maxReplyLines() {
        return maxReplyLines;
    }

    /** {@code host:port} or {@code endpoint 'name'}, as shown in messages. */
    public String serverLabel() {
        return endpointName != null ? "endpoint '" + endpointName + "'" : hostPort(host, port());
    }

    static String hostPort(String host, int port) {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }

    @Override
    public String toString() {
        return "SmtpSettings[server=" + serverLabel() + ", tlsMode=" + tlsMode + ", tls=" + tls + ", credentials="
                + credentials + ", allowAuthWithoutTls=" + allowAuthWithoutTls + ", clientName=" + clientName
                + ", connectTimeout=" + connectTimeout + ", commandTimeout=" + commandTimeout + ", dataTimeout="
                + dataTimeout + ", timeout=" + timeout + ", pipelining=" + pipelining + ", chunking=" + chunking + "]";
    }

    /** Builds {@link SmtpSettings}. */
    public static final class Builder {
        private String host;
        private int port;
        private String endpointName;
        private SmtpTlsMode tlsMode = SmtpTlsMode.STARTTLS_REQUIRED;
        private TlsOptions tls = TlsOptions.off();
        private SmtpCredentials credentials;
        private boolean allowAuthWithoutTls;
        private String clientName = "localhost";
        private Duration connectTimeout = Duration.ofSeconds(30);
        private Duration commandTimeout = Duration.ofSeconds(60);
        private Duration dataTimeout = Duration.ofMinutes(10);
        private Duration timeout = Duration.ofMinutes(15);
        private boolean pipelining = true;
        private boolean chunking = false;
        private int chunkSize = 256 * 1024;
        private int maxReplyLineLength = 2048;
        private int maxReplyLines = 256;

        private Builder() {
        }

        /** Host name or IP literal (clears an endpoint name). */
        public Builder host(String host) {
            if (host == null || host.isBlank()) {
                throw new IllegalArgumentException("smtp host must be a host name or IP address, was '" + host + "'");
            }
            this.host = host.strip();
            this.endpointName = null;
            return this;
        }

        /** 1..65535; 0 for the TLS mode's default (465/587/25). */
        public Builder port(int port) {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("smtp port must be 1..65535 (or 0 for the default), was " + port);
            }
            this.port = port;
            return this;
        }

        /** A named socket endpoint supplying address, port and TLS (clears the host). */
        public Builder endpointName(String endpointName) {
            if (endpointName == null || endpointName.isBlank()) {
                throw new IllegalArgumentException("smtp endpointName must not be empty");
            }
            this.endpointName = endpointName.strip();
            this.host = null;
            return this;
        }

        public Builder tlsMode(SmtpTlsMode tlsMode) {
            this.tlsMode = Objects.requireNonNull(tlsMode, "tlsMode");
            return this;
        }

        /** Trust/verification settings (default: JDK trust store, host name verified). */
        public Builder tls(TlsOptions tls) {
            this.tls = Objects.requireNonNull(tls, "tls");
            return this;
        }

        /** {@code null} for no authentication. */
        public Builder credentials(SmtpCredentials credentials) {
            this.credentials = credentials;
            return this;
        }

        public Builder allowAuthWithoutTls(boolean allow) {
            this.allowAuthWithoutTls = allow;
            return this;
        }

        /** The EHLO name: a domain or an address literal such as {@code [127.0.0.1]}. */
        public Builder clientName(String clientName) {
            if (clientName == null || clientName.isEmpty() || clientName.length() > 255
                    || !clientName.chars().allMatch(c -> c > 32 && c < 127)) {
                throw new IllegalArgumentException(
                        "smtp clientName must be 1..255 printable ASCII characters without spaces, was '" + clientName + "'");
            }
            this.clientName = clientName;
            return this;
        }

        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = positive("connectTimeout", timeout);
            return this;
        }

        public Builder commandTimeout(Duration timeout) {
            this.commandTimeout = positive("commandTimeout", timeout);
            return this;
        }

        public Builder dataTimeout(Duration timeout) {
            this.dataTimeout = positive("dataTimeout", timeout);
            return this;
        }

        /** @see SmtpSettings#timeout() */
        public Builder timeout(Duration timeout) {
            this.timeout = positive("timeout", timeout);
            return this;
        }

        public Builder pipelining(boolean pipelining) {
            this.pipelining = pipelining;
            return this;
        }

        public Builder chunking(boolean chunking) {
            this.chunking = chunking;
            return this;
        }

        /** 1 KiB .. 16 MiB. */
        public Builder chunkSize(int bytes) {
            this.chunkSize = range("chunkSize", bytes, 1024, 16 * 1024 * 1024);
            return this;
        }

        /** 64 .. 65536. */
        public Builder maxReplyLineLength(int bytes) {
            this.maxReplyLineLength = range("maxReplyLineLength", bytes, 64, 65536);
            return this;
        }

        /** 1 .. 10000. */
        public Builder maxReplyLines(int lines) {
            this.maxReplyLines = range("maxReplyLines", lines, 1, 10000);
            return this;
        }

        public SmtpSettings build() {
            if (host == null && endpointName == null) {
                throw new IllegalArgumentException("smtp settings need a host or an endpointName");
            }
            return new SmtpSettings(this);
        }

        private static Duration positive(String name, Duration d) {
            Objects.requireNonNull(d, name);
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException("smtp " + name + " must be > 0, was " + d);
            }
            return d;
        }

        private static int range(String name, int v, int min, int max) {
            if (v < min || v > max) {
                throw new IllegalArgumentException("smtp " + name + " must be " + min + ".." + max + ", was " + v);
            }
            return v;
        }
    }
}
