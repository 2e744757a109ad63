package org.rawsockets.irc;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

import org.rawsockets.socket.TlsOptions;

/**
 * How to reach one IRC network and who to be there. Immutable; built with {@link #builder(String)}.
 * TLS with certificate and host name verification is on by default (port 6697).
 */
public final class IrcSettings {

    /** The capabilities requested when the server offers them. */
    public static final Set<String> DEFAULT_CAPABILITIES = Set.of("message-tags", "server-time", "echo-message",
            "multi-prefix", "extended-join", "away-notify", "account-notify", "account-tag", "cap-notify", "batch",
            "labeled-response", "chghost", "invite-notify", "userhost-in-names", "setname");

    private final Builder b;

    private IrcSettings(Builder b) {
        this.b = b;
    }

    /** Settings for the network called {@code name} (a label for messages and the OSGi service). */
    public static Builder builder(String name) {
        return new Builder(name);
    }

    public String name() { return b.name; }
    /** The server host, or null when an endpoint name is used. */
    public String host() { return b.host; }
    /** The server port: as set, else 6697 with TLS and 6667 without. */
    public int port() { return b.port > 0 ? b.port : b.tls ? 6697 : 6667; }
    /** A named endpoint of the socket service instead of host and port, or null. */
    public String endpoint() { return b.endpoint; }
    public boolean tls() { return b.tls; }
    /** The TLS options (trust, client certificate, verification); used when {@link #tls()}. */
    public TlsOptions tlsOptions() { return b.tlsOptions; }
    public String nick() { return b.nick; }
    public List<String> alternateNicks() { return b.alternates; }
    public String user() { return b.user; }
    public String realName() { return b.realName; }
    /** The server password (PASS), or null. */
    public String serverPassword() { return b.serverPassword; }
    public SaslMechanism saslMechanism() { return b.saslMechanism; }
    public String saslAccount() { return b.saslAccount; }
    /** The SASL password, read when it is needed (at each SASL exchange). */
    public String saslPassword() { return b.saslPassword == null ? null : b.saslPassword.get(); }
    /** Whether a SASL failure ends the registration (true) or the client goes on without an account. */
    public boolean saslRequired() { return b.saslRequired; }
    /** The channels to join after registration, to their keys ("" for none). */
    public Map<String, String> channels() { return b.channels; }
    public Set<String> capabilities() { return b.capabilities; }
    /** Flood control: lines sent at once before the rate applies. */
    public int floodBurst() { return b.floodBurst; }
    /** Flood control: one more line allowed per this interval. */
    public Duration floodInterval() { return b.floodInterval; }
    /** The most lines waiting for flood control; more fail with {@link IrcLimitException}. */
    public int sendQueueLimit() { return b.sendQueueLimit; }
    public Duration connectTimeout() { return b.connectTimeout; }
    public Duration registrationTimeout() { return b.registrationTimeout; }
    /** After this long without data the client sends PING (and measures the lag). */
    public Duration pingInterval() { return b.pingInterval; }
    /** After this long without data the connection is given up (ping timeout). */
    public Duration pingTimeout() { return b.pingTimeout; }
    /** How long a command waits for its reply. */
    public Duration commandTimeout() { return b.commandTimeout; }
    public boolean reconnect() { return b.reconnect; }
    public Duration reconnectMinDelay() { return b.reconnectMin; }
    public Duration reconnectMaxDelay() { return b.reconnectMax; }
    /** The reply to CTCP VERSION. */
    public String version() { return b.version; }
    /** The file keeping the IRCv3 STS policies, or null for this JVM's memory. */
    public java.nio.file.Path stsPolicyFile() { return b.stsPolicyFile; }

    /** Where the server is, for messages: "name (host:port)". */
    public String label() {
        return b.name + " (" + (b.endpoint != null ? "endpoint " + b.endpoint : b.host + ":" + port()) + (b.tls ? ", TLS" : "")
                + ")";
    }

    @Override
    public String toString() {
        // Never prints passwords.
        return "IrcSettings[" + label() + ", nick=" + b.nick + ", alternates=" + b.alternates + ", user=" + b.user
                + ", sasl=" + b.saslMechanism.wireName() + (b.saslAccount != null ? " as " + b.saslAccount : "") + ", channels="
                + b.channels.keySet() + ", flood=" + b.floodBurst + "/" + b.floodInterval.toMillis() + "ms]";
    }

    /** Builds {@link IrcSettings}; every setter checks its argument (IllegalArgumentException naming it). */
    public static final class Builder {
        private final String name;
        private String host;
        private int port;
        private String endpoint;
        private boolean tls = true;
        private TlsOptions tlsOptions = TlsOptions.builder().mode(org.rawsockets.socket.TlsMode.ON).build();
        private String nick;
        private List<String> alternates = List.of();
        private String user;
        private String realName;
        private String serverPassword;
        private SaslMechanism saslMechanism = SaslMechanism.NONE;
        private String saslAccount;
        private java.util.function.Supplier<String> saslPassword;
        private boolean saslRequired = true;
        private Map<String, String> channels = Map.of();
        private Set<String> capabilities = DEFAULT_CAPABILITIES;
        private int floodBurst = 5;
        private Duration floodInterval = Duration.ofMillis(2000);
        private int sendQueueLimit = 10_000;
        private Duration connectTimeout = Duration.ofSeconds(30);
        private Duration registrationTimeout = Duration.ofSeconds(60);
        private Duration pingInterval = Duration.ofSeconds(60);
        private Duration pingTimeout = Duration.ofSeconds(180);
        private Duration commandTimeout = Duration.ofSeconds(30);
        private boolean reconnect = true;
        private Duration reconnectMin = Duration.ofSeconds(2);
        private Duration reconnectMax = Duration.ofMinutes(5);
        private String version = "Raw Sockets IRC client";
        private java.nio.file.Path stsPolicyFile;

        private Builder(String name) {
            this.name = word("name", name);
        }

        public Builder server(String host, int port) {
            this.host = word("host", host);
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("port must be within 1..65535, was " + port);
            }
            this.port = port;
            this.endpoint = null;
            return this;
        }

        /** A named endpoint of the socket service (its host and port come from the endpoint). */
        public Builder endpoint(String endpointName) {
            this.endpoint = word("endpoint", endpointName);
            this.host = null;
            return this;
        }

        /**
         * TLS on (the default: verified against the JVM's trust store) or off. With TLS off, the TLS
         * options still apply when the server's STS policy upgrades the connection.
         */
        public Builder tls(boolean on) {
            this.tls = on;
            return this;
        }

        /** TLS with these options (custom trust, client certificate, host name verification); the mode is set to ON. */
        public Builder tls(TlsOptions options) {
            this.tls = true;
            this.tlsOptions = options.toBuilder().mode(org.rawsockets.socket.TlsMode.ON).build();
            return this;
        }

        public Builder nick(String nick) {
            this.nick = word("nick", nick);
            return this;
        }

        public Builder alternateNicks(List<String> nicks) {
            List<String> l = new ArrayList<>();
            for (String n : nicks) {
                l.add(word("alternate nick", n));
            }
            this.alternates = List.copyOf(l);
            return this;
        }

        public Builder user(String user) {
            this.user = word("user", user);
            return this;
        }

        public Builder realName(String realName) {
            this.realName = text("realName", realName);
            return this;
        }

        public Builder serverPassword(String password) {
            this.serverPassword = password == null ? null : text("serverPassword", password);
            return this;
        }

        /** SASL with {@code mechanism}; account and password for PLAIN and SCRAM-SHA-256. */
        public Builder sasl(SaslMechanism mechanism, String account, String password) {
            this.saslMechanism = Objects.requireNonNull(mechanism, "sasl mechanism");
            if (mechanism.usesPassword() && (account == null || password == null)) {
                throw new IllegalArgumentException("SASL " + mechanism.wireName() + " needs an account and a password");
            }
            this.saslAccount = account == null ? null : text("sasl account", account);
            this.saslPassword = password == null ? null : () -> password;
            return this;
        }

        /**
         * SASL with a password read when it is needed (e.g. from a secret file at each connect); an
         * exception from {@code password} fails that registration with its message.
         */
        public Builder sasl(SaslMechanism mechanism, String account, java.util.function.Supplier<String> password) {
            sasl(mechanism, account, mechanism.usesPassword() ? "" : null);
            this.saslPassword = password;
            return this;
        }

        /** Whether a SASL failure ends the registration (default) or the client continues without an account. */
        public Builder saslRequired(boolean required) {
            this.saslRequired = required;
            return this;
        }

        /** The channels to join after each registration, to their keys ("" or null for none). */
        public Builder channels(Map<String, String> channelsAndKeys) {
            Map<String, String> m = new LinkedHashMap<>();
            channelsAndKeys.forEach((c, k) -> m.put(word("channel", c), k == null ? "" : k.isEmpty() ? "" : word("channel key", k)));
            this.channels = Collections.unmodifiableMap(m);
            return this;
        }

        public Builder capabilities(Set<String> caps) {
            this.capabilities = Set.copyOf(caps);
            return this;
        }

        /** Flood control: {@code burst} lines at once, then one per {@code interval}. */
        public Builder flood(int burst, Duration interval) {
            if (burst < 1 || burst > 1000) {
                throw new IllegalArgumentException("flood burst must be within 1..1000, was " + burst);
            }
            this.floodBurst = burst;
            this.floodInterval = positive("flood interval", interval);
            return this;
        }

        public Builder sendQueueLimit(int lines) {
            if (lines < 1) {
                throw new IllegalArgumentException("sendQueueLimit must be at least 1, was " + lines);
            }
            this.sendQueueLimit = lines;
            return this;
        }

        public Builder connectTimeout(Duration d) {
            this.connectTimeout = positive("connectTimeout", d);
            return this;
        }

        public Builder registrationTimeout(Duration d) {
            this.registrationTimeout = positive("registrationTimeout", d);
            return this;
        }

        /** PING after {@code interval} without data; give up after {@code timeout} without data. */
        public Builder ping(Duration interval, Duration timeout) {
            this.pingInterval = positive("pingInterval", interval);
            this.pingTimeout = positive("pingTimeout", timeout);
            if (timeout.compareTo(interval) <= 0) {
                throw new IllegalArgumentException("pingTimeout (" + timeout + ") must be longer than pingInterval ("
                        + interval + ")");
            }
            return this;
        }

        public Builder commandTimeout(Duration d) {
            this.commandTimeout = positive("commandTimeout", d);
            return this;
        }

        /**
         * Reconnect after a lost connection, waiting {@code min} doubling up to {@code max} (±20 % jitter);
         * or not.
         */
        public Builder reconnect(boolean on, Duration min, Duration max) {
            this.reconnect = on;
            this.reconnectMin = positive("reconnect min delay", min);
            this.reconnectMax = positive("reconnect max delay", max);
            if (max.compareTo(min) < 0) {
                throw new IllegalArgumentException("reconnect max delay (" + max.toMillis()
                        + " ms) is below the min delay (" + min.toMillis() + " ms)");
            }
            return this;
        }

        /**
         * Where the IRCv3 STS policies (host, TLS port, expiry) are kept: a file shared by the clients
         * using it and kept across restarts; null (the default): this JVM's memory.
         */
        public Builder stsPolicyFile(java.nio.file.Path file) {
            this.stsPolicyFile = file;
            return this;
        }

        public Builder version(String version) {
            this.version = text("version", version);
            return this;
        }

        public IrcSettings build() {
            if (host == null && endpoint == null) {
                throw new IllegalArgumentException("IRC network " + name + ": set the server (host and port) or an endpoint");
            }
            if (nick == null) {
                throw new IllegalArgumentException("IRC network " + name + ": set the nick");
            }
            if (user == null) {
                user = nick;
            }
            if (realName == null) {
                realName = nick;
            }
            Builder copy = new Builder(name);
            copy.host = host; copy.port = port; copy.endpoint = endpoint; copy.tls = tls; copy.tlsOptions = tlsOptions;
            copy.nick = nick; copy.alternates = alternates; copy.user = user; copy.realName = realName;
            copy.serverPassword = serverPassword; copy.saslMechanism = saslMechanism; copy.saslAccount = saslAccount;
            copy.saslPassword = saslPassword; copy.saslRequired = saslRequired; copy.channels = channels;
            copy.capabilities = capabilities; copy.floodBurst = floodBurst; copy.floodInterval = floodInterval;
            copy.sendQueueLimit = sendQueueLimit; copy.connectTimeout = connectTimeout;
            copy.registrationTimeout = registrationTimeout; copy.pingInterval = pingInterval; copy.pingTimeout = pingTimeout;
            copy.commandTimeout = commandTimeout; copy.reconnect = reconnect; copy.reconnectMin = reconnectMin;
            copy.reconnectMax = reconnectMax; copy.version = version; copy.stsPolicyFile = stsPolicyFile;
            return new IrcSettings(copy);
        }

        private static String word(String what, String v) {
            if (v == null || v.isEmpty() || v.chars().anyMatch(c -> c == ' ' || c == '\r' || c == '\n' || c == 0 || c == ',')) {
                throw new IllegalArgumentException(what + " must be one word without spaces, commas, CR, LF or NUL, was '"
                        + v + "'");
            }
            return v;
        }

        private static String text(String what, String v) {
            if (v == null || v.chars().anyMatch(c -> c == '\r' || c == '\n' || c == 0)) {
                throw new IllegalArgumentException(what + " must be a text without CR, LF or NUL");
            }
            return v;
        }

        private static Duration positive(String what, Duration d) {
            if (d == null || d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(what + " must be a positive duration, was " + d);
            }
            return d;
        }
    }
}
