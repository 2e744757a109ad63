package org.rawsockets.mqtt.internal;

import java.time.Duration;
import java.util.Objects;

import org.rawsockets.mqtt.MqttMessage;
import org.rawsockets.mqtt.MqttVersion;
import org.rawsockets.protocols.sasl.ScramClient;
import org.rawsockets.socket.TlsMode;
import org.rawsockets.socket.TlsOptions;

/**
 * Validated settings of one broker client; built with {@link #builder(String)}. Immutable.
 */
public final class MqttSettings {

    /** Which authentication an HTTP proxy gets (property {@code httpProxyAuth}). */
    public enum ProxyAuth {
        /** Only when the proxy asks (407): Digest when it offers Digest, else Basic. */
        ANY,
        /** Only when the proxy asks, and only Digest: a proxy that offers Basic alone is refused. */
        DIGEST,
        /** Basic on the first CONNECT, without waiting to be asked (one round trip less; the password in clear). */
        BASIC
    }

    /** Where the password comes from at each connect. */
    @FunctionalInterface
    public interface PasswordSource {
        /**
         * @return the password bytes
         * @throws org.rawsockets.mqtt.MqttException when it cannot be read (the message names the
         *         secret and its file, never the content)
         */
        byte[] get() throws org.rawsockets.mqtt.MqttException;
    }

    /** What happens to a publication when the offline queue is full. */
    public enum QueuePolicy {
        /** The new message fails at once with {@code MqttLimitException}; queued ones are kept. */
        REJECT_NEW,
        /** The oldest queued message fails with {@code MqttLimitException} and the new one is queued. */
        DROP_OLDEST
    }

    public final String name;
    public final String host;
    public final String endpoint;
    public final int port;
    /** The HTTP path of MQTT over WebSocket (ws:// or wss:// URI), or {@code null}: MQTT over TCP. */
    public final String webSocketPath;
    /** The HTTP proxy the connection is tunnelled through with CONNECT, or {@code null}: straight to the broker. */
    public final String httpProxyHost;
    public final int httpProxyPort;
    /** The proxy's user, or {@code null}; its password is {@link #httpProxyPassword}. */
    public final String httpProxyUser;
    public final PasswordSource httpProxyPassword;
    /** Which authentication the proxy's challenge gets (with {@link #httpProxyUser}). */
    public final ProxyAuth httpProxyAuth;
    public final TlsOptions tls;
    public final MqttVersion version;
    public final String clientId;
    public final boolean cleanStart;
    public final long sessionExpirySeconds;
    public final int keepAliveSeconds;
    public final String username;
    /** Read at each connect (a secret file may change); {@code null}: no password. */
    public final PasswordSource password;
    /**
     * MQTT 5 enhanced authentication with the method of this name, found in {@link #authMethods} at
     * each exchange ({@link #username} and {@link #password} are given to it, neither is sent in
     * CONNECT); {@code null}: none.
     */
    public final String authMethod;
    /** Where {@link #authMethod} is found: SCRAM built in, a bundle's {@link org.rawsockets.mqtt.MqttAuthMethod}. */
    public final AuthMethods authMethods;
    /**
     * Re-authenticate with {@link #authMethod} this long after the last successful authentication of
     * the connection (CONNACK or a re-authentication); {@link Duration#ZERO}: only when asked.
     */
    public final Duration reauthInterval;
    public final MqttMessage will;
    public final long willDelaySeconds;
    public final int receiveMaximum;
    public final int maxPacketSize;
    public final int topicAliasMaximum;
    /** Outgoing topic aliases at most (never more than the broker's Topic Alias Maximum); 0: none. */
    public final int outgoingTopicAliasMaximum;
    public final int maxInFlight;
    public final int maxQueued;
    public final QueuePolicy queuePolicy;
    /** The directory of the file-backed offline queue, or {@code null}: memory only. */
    public final java.nio.file.Path queueDirectory;
    /** The bytes the file-backed queue's files may take. */
    public final long maxQueuedBytes;
    /** Whether each file of the file-backed queue is synced to the disk before the publication is accepted. */
    public final boolean queueFsync;
    public final Duration connectTimeout;
    public final boolean reconnect;
    public final Duration reconnectMin;
    public final Duration reconnectMax;

    private MqttSettings(Builder b) {
        name = b.name;
        host = b.host == null ? "" : b.host.strip();
        endpoint = b.endpoint == null ? "" : b.endpoint.strip();
        port = b.port;
        webSocketPath = b.webSocketPath;
        httpProxyHost = b.httpProxyHost == null || b.httpProxyHost.isBlank() ? null : b.httpProxyHost.strip();
        httpProxyPort = b.httpProxyPort;
        httpProxyUser = b.httpProxyUser;
        httpProxyPassword = b.httpProxyPassword;
        httpProxyAuth = Objects.requireNonNull(b.httpProxyAuth, "httpProxyAuth");
        tls = b.tls;
        version = b.version;
        clientId = b.clientId;
        cleanStart = b.cleanStart;
        sessionExpirySeconds = b.sessionExpirySeconds;
        keepAliveSeconds = b.keepAliveSeconds;
        username = b.username;
        password = b.password;
        authMethod = b.authMethod;
        authMethods = b.authMethods;
        reauthInterval = b.reauthInterval;
        will = b.will;
        willDelaySeconds = b.willDelaySeconds;
        receiveMaximum = b.receiveMaximum;
        maxPacketSize = b.maxPacketSize;
        topicAliasMaximum = b.topicAliasMaximum;
        outgoingTopicAliasMaximum = b.outgoingTopicAliasMaximum;
        maxInFlight = b.maxInFlight;
        maxQueued = b.maxQueued;
        queuePolicy = b.queuePolicy;
        queueDirectory = b.queueDirectory;
        maxQueuedBytes = b.maxQueuedBytes;
        queueFsync = b.queueFsync;
        connectTimeout = b.connectTimeout;
        reconnect = b.reconnect;
        reconnectMin = b.reconnectMin;
        reconnectMax = b.reconnectMax;
        String where = "mqtt broker '" + name + "': ";
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("mqtt broker name must not be blank");
        }
        if (host.isEmpty() == endpoint.isEmpty()) {
            throw new IllegalArgumentException(where + "set exactly one of host (with port) or endpoint (a socket"
                    + " endpoint name)");
        }
        range(where, "port", port, 1, 65535);
        if (webSocketPath != null && (!webSocketPath.startsWith("/") || !endpoint.isEmpty()
                || webSocketPath.chars().anyMatch(ch -> ch <= ' ' || ch >= 0x7F))) {
            throw new IllegalArgumentException(where + "a WebSocket path starts with '/', has no spaces or"
                    + " non-ASCII characters and goes with a host (not an endpoint), was '" + webSocketPath + "'");
        }
        if (httpProxyHost != null) {
            if (!endpoint.isEmpty()) {
                throw new IllegalArgumentException(where + "an HTTP proxy goes with a host (the broker's name is"
                        + " sent to the proxy), not with an endpoint");
            }
            range(where, "httpProxy port", httpProxyPort, 1, 65535);
        }
        if ((httpProxyUser == null) != (httpProxyPassword == null) || httpProxyUser != null && httpProxyHost == null) {
            throw new IllegalArgumentException(where + "an HTTP proxy user and password go together, with an HTTP proxy");
        }
        if (httpProxyUser != null && (httpProxyUser.contains(":") || httpProxyUser.chars().anyMatch(ch -> ch < ' '))) {
            throw new IllegalArgumentException(where + "an HTTP proxy user has no ':' or control characters"
                    + " (Basic authentication)");
        }
        if (httpProxyAuth != ProxyAuth.ANY && httpProxyUser == null) {
            throw new IllegalArgumentException(where + "httpProxyAuth " + httpProxyAuth.name().toLowerCase(java.util.Locale.ROOT)
                    + " goes with an HTTP proxy user and password");
        }
        range(where, "keepAliveSeconds", keepAliveSeconds, 0, 65535);
        range(where, "receiveMaximum", receiveMaximum, 1, 65535);
        range(where, "maxPacketSize", maxPacketSize, 64, org.rawsockets.socket.FrameReader.MAX_BUFFER);
        range(where, "topicAliasMaximum", topicAliasMaximum, 0, 65535);
        range(where, "outgoingTopicAliasMaximum", outgoingTopicAliasMaximum, 0, 65535);
        range(where, "maxInFlight", maxInFlight, 1, 65535);
        range(where, "maxQueued", maxQueued, 0, 1_000_000);
        range(where, "maxQueuedBytes", maxQueuedBytes, 1024, Long.MAX_VALUE);
        if (queueFsync && queueDirectory == null) {
            throw new IllegalArgumentException(where + "queueFsync goes with a queueDirectory (the file-backed queue)");
        }
        if (sessionExpirySeconds < 0 || sessionExpirySeconds > 0xFFFFFFFFL) {
            throw new IllegalArgumentException(where + "sessionExpirySeconds must be 0..4294967295, was "
                    + sessionExpirySeconds);
        }
        if (clientId == null || (clientId.isEmpty() && !cleanStart && version == MqttVersion.V3_1_1)) {
            throw new IllegalArgumentException(where + "a persistent session (cleanStart false) needs a client id");
        }
        if (password != null && username == null && version == MqttVersion.V3_1_1) {
            throw new IllegalArgumentException(where + "MQTT 3.1.1 sends a password only with a user name");
        }
        if (authMethod != null && (version != MqttVersion.V5 || AuthMethods.isBuiltIn(authMethod) && (username == null
                || password == null))) {
            throw new IllegalArgumentException(where + "saslMechanism " + authMethod + " is MQTT 5 enhanced"
                    + " authentication: it needs version 5" + (AuthMethods.isBuiltIn(authMethod) ? ", a user and a"
                            + " password" : ""));
        }
        Objects.requireNonNull(reauthInterval, "reauthInterval");
        if (reauthInterval.isNegative() || !reauthInterval.isZero() && reauthInterval.compareTo(Duration.ofSeconds(1)) < 0) {
            throw new IllegalArgumentException(where + "reauthInterval " + reauthInterval.toMillis()
                    + " ms is out of range: 0 (off) or at least 1 second");
        }
        if (!reauthInterval.isZero() && authMethod == null) {
            throw new IllegalArgumentException(where + "reauthInterval " + reauthInterval.toMillis()
                    + " ms needs enhanced authentication (saslMechanism, MQTT 5) to re-authenticate with");
        }
        Objects.requireNonNull(tls, "tls");
        Objects.requireNonNull(queuePolicy, "queuePolicy");
        positive(where, "connectTimeout", connectTimeout);
        positive(where, "reconnectMin", reconnectMin);
        positive(where, "reconnectMax", reconnectMax);
        if (reconnectMax.compareTo(reconnectMin) < 0) {
            throw new IllegalArgumentException(where + "reconnectMax must be at least reconnectMin");
        }
    }

    private static void range(String where, String what, long v, long min, long max) {
        if (v < min || v > max) {
            throw new IllegalArgumentException(where + what + " must be " + min + ".." + max + ", was " + v);
        }
    }

    private static void positive(String where, String what, Duration d) {
        Objects.requireNonNull(d, what);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(where + what + " must be > 0, was " + d);
        }
    }

    public boolean v5() {
        return version == MqttVersion.V5;
    }

    /**
     * {@code mqtt 127.0.0.1:1883}, {@code mqtts broker:8883}, {@code mqtt endpoint broker1},
     * {@code wss broker:443/mqtt}.
     */
    public String target() {
        boolean tlsOn = tls.mode() == TlsMode.ON;
        String via = httpProxyHost == null ? "" : " via HTTP proxy " + httpProxy();
        if (webSocketPath != null) {
            return (tlsOn ? "wss " : "ws ") + hostPort() + webSocketPath + via;
        }
        return (tlsOn ? "mqtts " : "mqtt ") + (endpoint.isEmpty() ? hostPort() : "endpoint " + endpoint) + via;
    }

    /** {@code host:port} of the HTTP proxy ({@code [v6]:port}), or {@code null}. */
    public String httpProxy() {
        return httpProxyHost == null ? null
                : (httpProxyHost.contains(":") ? "[" + httpProxyHost + "]" : httpProxyHost) + ":" + httpProxyPort;
    }

    /** The CONNECT request's target: the broker's {@code host:port}. */
    public String brokerAuthority() {
        return hostPort();
    }

    private String hostPort() {
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }

    /** The Host header of the WebSocket upgrade: the host, with the port unless it is the scheme's default. */
    public String webSocketHost() {
        boolean tlsOn = tls.mode() == TlsMode.ON;
        return (host.contains(":") ? "[" + host + "]" : host) + (port == (tlsOn ? 443 : 80) ? "" : ":" + port);
    }

    public static Builder builder(String name) {
        return new Builder(name);
    }

    public Builder toBuilder() {
        Builder b = new Builder(name);
        b.host = host;
        b.endpoint = endpoint;
        b.port = port;
        b.webSocketPath = webSocketPath;
        b.httpProxyHost = httpProxyHost;
        b.httpProxyPort = httpProxyPort;
        b.httpProxyUser = httpProxyUser;
        b.httpProxyPassword = httpProxyPassword;
        b.httpProxyAuth = httpProxyAuth;
        b.tls = tls;
        b.version = version;
        b.clientId = clientId;
        b.cleanStart = cleanStart;
        b.sessionExpirySeconds = sessionExpirySeconds;
        b.keepAliveSeconds = keepAliveSeconds;
        b.username = username;
        b.password = password;
        b.authMethod = authMethod;
        b.authMethods = authMethods;
        b.reauthInterval = reauthInterval;
        b.will = will;
        b.willDelaySeconds = willDelaySeconds;
        b.receiveMaximum = receiveMaximum;
        b.maxPacketSize = maxPacketSize;
        b.topicAliasMaximum = topicAliasMaximum;
        b.outgoingTopicAliasMaximum = outgoingTopicAliasMaximum;
        b.maxInFlight = maxInFlight;
        b.maxQueued = maxQueued;
        b.queuePolicy = queuePolicy;
        b.queueDirectory = queueDirectory;
        b.maxQueuedBytes = maxQueuedBytes;
        b.queueFsync = queueFsync;
        b.connectTimeout = connectTimeout;
        b.reconnect = reconnect;
        b.reconnectMin = reconnectMin;
        b.reconnectMax = reconnectMax;
        return b;
    }

    /** Defaults: MQTT 5, port 1883, no TLS, persistent session of 1 h, keep alive 60 s, Receive Maximum 64, 1 MiB packets. */
    public static final class Builder {
        String name;
        String host;
        String endpoint;
        int port = 1883;
        String webSocketPath;
        String httpProxyHost;
        int httpProxyPort;
        String httpProxyUser;
        PasswordSource httpProxyPassword;
        ProxyAuth httpProxyAuth = ProxyAuth.ANY;
        TlsOptions tls = TlsOptions.off();
        MqttVersion version = MqttVersion.V5;
        String clientId;
        boolean cleanStart = false;
        long sessionExpirySeconds = 3600;
        int keepAliveSeconds = 60;
        String username;
        PasswordSource password;
        String authMethod;
        AuthMethods authMethods = AuthMethods.of();
        Duration reauthInterval = Duration.ZERO;
        MqttMessage will;
        long willDelaySeconds;
        int receiveMaximum = 64;
        int maxPacketSize = 1024 * 1024;
        int topicAliasMaximum = 64;
        int outgoingTopicAliasMaximum = 16;
        int maxInFlight = 65535;
        int maxQueued = 10_000;
        QueuePolicy queuePolicy = QueuePolicy.REJECT_NEW;
        java.nio.file.Path queueDirectory;
        long maxQueuedBytes = 64L * 1024 * 1024;
        boolean queueFsync;
        Duration connectTimeout = Duration.ofSeconds(10);
        boolean reconnect = true;
        Duration reconnectMin = Duration.ofMillis(250);
        Duration reconnectMax = Duration.ofSeconds(30);

        Builder(String name) {
            this.name = name;
            this.clientId = name;
        }

        public Builder host(String h, int p) {
            host = h;
            port = p;
            return this;
        }

        /**
         * MQTT over WebSocket at {@code path} of the host (TLS on: wss); {@code null}: MQTT over TCP.
         */
        public Builder webSocket(String path) {
            webSocketPath = path;
            return this;
        }

        /**
         * Tunnels the connection through the HTTP proxy at {@code host:port} (HTTP CONNECT to the broker's
         * host and port; TLS and WebSocket then run inside the tunnel); {@code null} host: no proxy.
         */
        public Builder httpProxy(String host, int port) {
            httpProxyHost = host;
            httpProxyPort = port;
            return this;
        }

        /** Credentials for the HTTP proxy (see {@link #httpProxyAuth}); the password is read at each connect. */
        public Builder httpProxyCredentials(String user, PasswordSource password) {
            httpProxyUser = user;
            httpProxyPassword = password;
            return this;
        }

        /** Which authentication the proxy gets; {@link ProxyAuth#ANY} by default. */
        public Builder httpProxyAuth(ProxyAuth auth) {
            httpProxyAuth = auth;
            return this;
        }

        public Builder endpoint(String e) {
            endpoint = e;
            return this;
        }

        public Builder tls(TlsOptions t) {
            tls = t;
            return this;
        }

        public Builder version(MqttVersion v) {
            version = v;
            return this;
        }

        public Builder clientId(String id) {
            clientId = id;
            return this;
        }

        public Builder cleanStart(boolean c) {
            cleanStart = c;
            return this;
        }

        public Builder sessionExpirySeconds(long s) {
            sessionExpirySeconds = s;
            return this;
        }

        public Builder keepAliveSeconds(int s) {
            keepAliveSeconds = s;
            return this;
        }

        public Builder credentials(String user, byte[] pass) {
            return credentials(user, pass == null ? null : () -> pass.clone());
        }

        public Builder credentials(String user, PasswordSource pass) {
            username = user;
            password = pass;
            return this;
        }

        /**
         * MQTT 5 enhanced authentication with SCRAM (the credentials' user and password prove
         * themselves in AUTH packets; neither is sent in CONNECT); {@code null}: none.
         */
        public Builder saslMechanism(ScramClient.Mechanism m) {
            authMethod = m == null ? null : m.saslName();
            return this;
        }

        /**
         * MQTT 5 enhanced authentication with the method of this name ({@code null}: none), found in
         * {@code methods} when each exchange starts.
         */
        public Builder authMethod(String name, AuthMethods methods) {
            authMethod = name;
            authMethods = methods;
            return this;
        }

        public Builder will(MqttMessage w, long delaySeconds) {
            will = w;
            willDelaySeconds = delaySeconds;
            return this;
        }

        public Builder receiveMaximum(int n) {
            receiveMaximum = n;
            return this;
        }

        public Builder maxPacketSize(int n) {
            maxPacketSize = n;
            return this;
        }

        public Builder topicAliasMaximum(int n) {
            topicAliasMaximum = n;
            return this;
        }

        public Builder outgoingTopicAliasMaximum(int n) {
            outgoingTopicAliasMaximum = n;
            return this;
        }

        public Builder maxInFlight(int n) {
            maxInFlight = n;
            return this;
        }

        public Builder queue(int max, QueuePolicy policy) {
            maxQueued = max;
            queuePolicy = policy;
            return this;
        }

        /**
         * Keeps the queued publications also in files of {@code dir} (they survive a restart), at most
         * {@code maxBytes}; {@code null}: memory only.
         */
        public Builder queueDirectory(java.nio.file.Path dir, long maxBytes) {
            queueDirectory = dir;
            maxQueuedBytes = maxBytes;
            return this;
        }

        /**
         * Syncs each file of the file-backed queue (and its name) to the disk before the publication is
         * accepted, so that it survives a power cut; an fsync per publication, under the client's lock.
         */
        public Builder queueFsync(boolean on) {
            queueFsync = on;
            return this;
        }

        /** Re-authenticates this long after each successful authentication ({@link Duration#ZERO}: off). */
        public Builder reauthInterval(Duration d) {
            reauthInterval = d;
            return this;
        }

        public Builder connectTimeout(Duration d) {
            connectTimeout = d;
            return this;
        }

        public Builder reconnect(boolean on, Duration min, Duration max) {
            reconnect = on;
            reconnectMin = min;
            reconnectMax = max;
            return this;
        }

        public MqttSettings build() {
            return new MqttSettings(this);
        }
    }
}
