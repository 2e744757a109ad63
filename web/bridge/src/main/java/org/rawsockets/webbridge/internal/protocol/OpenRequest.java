package org.rawsockets.webbridge.internal.protocol;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.rawsockets.socket.DnsQueryType;
import org.rawsockets.socket.TcpServerSocketOptions;
import org.rawsockets.socket.TcpSocketOptions;
import org.rawsockets.socket.TlsMode;
import org.rawsockets.socket.TlsOptions;
import org.rawsockets.socket.UdpSocketOptions;

/**
 * The options of an OPEN frame: UTF-8 lines {@code key=value} (docs/direct-sockets-bridge.md), turned
 * into socket-api options. Every problem is an {@link IllegalArgumentException} naming the option and
 * the rule (the page gets it as a {@code TypeError}). TLS trust is never taken from the page: a page
 * may ask for TLS, a server name and ALPN; certificates come from the JDK's trust store or from a
 * named endpoint the operator configured.
 */
public final class OpenRequest {

    private static final Set<String> TCP_KEYS = Set.of("remoteAddress", "remotePort", "endpoint", "noDelay",
            "keepAliveDelay", "sendBufferSize", "receiveBufferSize", "dnsQueryType", "connectTimeout", "tls",
            "serverName", "alpn");
    private static final Set<String> UDP_KEYS = Set.of("remoteAddress", "remotePort", "localAddress", "localPort",
            "endpoint", "sendBufferSize", "receiveBufferSize", "dnsQueryType");
    private static final Set<String> SERVER_KEYS = Set.of("localAddress", "localPort", "backlog");

    private final Map<String, String> values;

    private OpenRequest(Map<String, String> values) {
        this.values = values;
    }

    /** Parses an OPEN frame's payload for the frame type {@code type}. */
    public static OpenRequest parse(int type, String text) {
        Set<String> allowed = switch (type) {
            case Frame.OPEN_TCP -> TCP_KEYS;
            case Frame.OPEN_UDP -> UDP_KEYS;
            case Frame.OPEN_TCP_SERVER -> SERVER_KEYS;
            default -> throw new IllegalArgumentException("frame type " + Frame.typeName(type) + " opens nothing");
        };
        Map<String, String> values = new LinkedHashMap<>();
        for (String line : text.split("\n", -1)) {
            if (line.isEmpty()) {
                continue;
            }
            int eq = line.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("option line '" + line + "' is not key=value");
            }
            String key = line.substring(0, eq);
            if (!allowed.contains(key)) {
                throw new IllegalArgumentException("unknown option '" + key + "' for " + Frame.typeName(type)
                        + "; known: " + String.join(", ", allowed.stream().sorted().toList()));
            }
            if (values.put(key, line.substring(eq + 1)) != null) {
                throw new IllegalArgumentException("option '" + key + "' given twice");
            }
        }
        return new OpenRequest(values);
    }

    /** The named endpoint asked for, or {@code null}. */
    public String endpoint() {
        return values.get("endpoint");
    }

    /** The remote address asked for ({@code null} when absent). */
    public String remoteAddress() {
        return values.get("remoteAddress");
    }

    /** The remote port asked for (0 when absent). */
    public int remotePort() {
        return integer("remotePort", 0, 1, 65535);
    }

    /** TCP options; checks that either an endpoint or remoteAddress and remotePort are given. */
    public TcpSocketOptions tcpOptions() {
        requireDestination();
        TcpSocketOptions.Builder b = TcpSocketOptions.builder();
        if (values.containsKey("noDelay")) {
            b.noDelay(bool("noDelay"));
        }
        if (values.containsKey("keepAliveDelay")) {
            b.keepAliveDelay(Duration.ofMillis(integer("keepAliveDelay", 0, 1000, Integer.MAX_VALUE)));
        }
        if (values.containsKey("sendBufferSize")) {
            b.sendBufferSize(integer("sendBufferSize", 0, 1, 16 << 20));
        }
        if (values.containsKey("receiveBufferSize")) {
            b.receiveBufferSize(integer("receiveBufferSize", 0, 1, 16 << 20));
        }
        if (values.containsKey("dnsQueryType")) {
            b.dnsQueryType(dnsQueryType());
        }
        if (values.containsKey("connectTimeout")) {
            b.connectTimeout(Duration.ofMillis(integer("connectTimeout", 0, 1, 600_000)));
        }
        b.allowHalfOpen(true);
        String tls = values.getOrDefault("tls", "off");
        TlsMode mode = switch (tls) {
            case "off" -> TlsMode.OFF;
            case "on" -> TlsMode.ON;
            case "starttls" -> TlsMode.STARTTLS;
            default -> throw new IllegalArgumentException("option tls must be off, on or starttls, was '" + tls + "'");
        };
        if (mode == TlsMode.OFF && (values.containsKey("serverName") || values.containsKey("alpn"))) {
            throw new IllegalArgumentException("options serverName and alpn need tls=on or tls=starttls");
        }
        if (mode != TlsMode.OFF) {
            TlsOptions.Builder t = TlsOptions.builder().mode(mode);
            if (values.containsKey("serverName")) {
                t.serverName(values.get("serverName"));
            }
            if (values.containsKey("alpn")) {
                t.alpnProtocols(List.of(values.get("alpn").split(",")));
            }
            b.tls(t.build());
        }
        return b.build();
    }

    /**
     * The server name of a STARTTLS frame's payload (docs/direct-sockets-bridge.md): empty, or one line
     * {@code serverName=host}; {@code null} when none is given.
     */
    public static String startTlsServerName(String text) {
        String serverName = null;
        for (String line : text.split("\n", -1)) {
            if (line.isEmpty()) {
                continue;
            }
            if (!line.startsWith("serverName=") || serverName != null) {
                throw new IllegalArgumentException("a STARTTLS frame carries at most one line serverName=host, got '"
                        + line + "'");
            }
            serverName = line.substring("serverName=".length());
            if (!serverName.matches("[A-Za-z0-9.-]{1,253}")) {
                throw new IllegalArgumentException("serverName of a STARTTLS frame must be a host name, was '"
                        + serverName + "'");
            }
        }
        return serverName;
    }

    /** UDP options: connected (remoteAddress, remotePort or an endpoint) or bound (localAddress). */
    public UdpSocketOptions udpOptions() {
        boolean bound = values.containsKey("localAddress");
        if (bound && (values.containsKey("remoteAddress") || endpoint() != null)) {
            throw new IllegalArgumentException("a UDP socket is either connected (remoteAddress/remotePort or endpoint)"
                    + " or bound (localAddress/localPort), not both");
        }
        UdpSocketOptions.Builder b = UdpSocketOptions.builder();
        if (bound) {
            b.local(values.get("localAddress"), integer("localPort", 0, 0, 65535));
        } else {
            requireDestination();
            if (endpoint() == null) {
                b.remote(remoteAddress(), remotePort());
            } else {
                // connected mode; openUdpEndpoint replaces the placeholder with the endpoint's address and port
                b.remote("localhost", 1);
            }
        }
        if (values.containsKey("sendBufferSize")) {
            b.sendBufferSize(integer("sendBufferSize", 0, 1, 16 << 20));
        }
        if (values.containsKey("receiveBufferSize")) {
            b.receiveBufferSize(integer("receiveBufferSize", 0, 1, 16 << 20));
        }
        if (values.containsKey("dnsQueryType")) {
            b.dnsQueryType(dnsQueryType());
        }
        return b.build();
    }

    /** Whether {@link #udpOptions()} is a bound socket. */
    public boolean udpBound() {
        return values.containsKey("localAddress");
    }

    /** TCP server options. */
    public TcpServerSocketOptions serverOptions() {
        String local = values.get("localAddress");
        if (local == null) {
            throw new IllegalArgumentException("option localAddress is required for a TCP server socket");
        }
        TcpServerSocketOptions.Builder b = TcpServerSocketOptions.builder()
                .local(local, integer("localPort", 0, 0, 65535));
        if (values.containsKey("backlog")) {
            b.backlog(integer("backlog", 0, 1, 4096));
        }
        return b.build();
    }

    private void requireDestination() {
        if (endpoint() != null) {
            if (values.containsKey("remoteAddress") || values.containsKey("remotePort")) {
                throw new IllegalArgumentException("give either endpoint or remoteAddress/remotePort, not both");
            }
            if (endpoint().isBlank()) {
                throw new IllegalArgumentException("option endpoint must name an endpoint, was blank");
            }
            return;
        }
        if (remoteAddress() == null || remoteAddress().isBlank()) {
            throw new IllegalArgumentException("option remoteAddress is required (or endpoint for a named endpoint)");
        }
        if (!values.containsKey("remotePort")) {
            throw new IllegalArgumentException("option remotePort is required with remoteAddress");
        }
    }

    private DnsQueryType dnsQueryType() {
        String v = values.get("dnsQueryType");
        return switch (v) {
            case "ipv4" -> DnsQueryType.IPV4;
            case "ipv6" -> DnsQueryType.IPV6;
            default -> throw new IllegalArgumentException("option dnsQueryType must be ipv4 or ipv6, was '" + v + "'");
        };
    }

    private boolean bool(String key) {
        String v = values.get(key).toLowerCase(Locale.ROOT);
        if (!v.equals("true") && !v.equals("false")) {
            throw new IllegalArgumentException("option " + key + " must be true or false, was '" + values.get(key) + "'");
        }
        return v.equals("true");
    }

    private int integer(String key, int absent, int min, int max) {
        String v = values.get(key);
        if (v == null) {
            return absent;
        }
        long n;
        try {
            n = Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("option " + key + " must be a whole number, was '" + v + "'");
        }
        if (n < min || n > max) {
            throw new IllegalArgumentException("option " + key + " must be within " + min + ".." + max + ", was " + n);
        }
        return (int) n;
    }
}
