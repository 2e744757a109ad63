package org.rawsockets.socket.mina.internal.policy;

import java.util.ArrayList;
import java.util.List;

/**
 * What a bundle declares it needs: the clauses of its {@code RawSockets-Access} manifest header
 * (written by bnd from {@code @RequireSocket}, see
 * {@link org.rawsockets.socket.annotation.RequireSocket} for the syntax).
 *
 * @param header the raw header, {@code null} when the bundle has none
 * @param rules the parsed clauses (bundle field: the bundle's own name)
 * @param errors clauses that could not be parsed (ignored: they allow nothing)
 */
public record Declarations(String header, List<Rule> rules, List<String> errors) {

    /** The manifest header. */
    public static final String HEADER = org.rawsockets.socket.annotation.RequireSocket.HEADER;

    public static final Declarations NONE = new Declarations(null, List.of(), List.of());

    public Declarations {
        rules = List.copyOf(rules);
        errors = List.copyOf(errors);
    }

    /** Parses a header value; {@code null} or blank gives {@link #NONE}. */
    public static Declarations parse(String symbolicName, String header) {
        if (header == null || header.isBlank()) {
            return header == null ? NONE : new Declarations(header, List.of(), List.of());
        }
        List<Rule> rules = new ArrayList<>();
        List<String> errors = new ArrayList<>();
        int n = 0;
        for (String clause : split(header, ',')) {
            if (clause.isBlank()) {
                continue;
            }
            n++;
            try {
                rules.add(parseClause(symbolicName, "declared-" + n, clause));
            } catch (IllegalArgumentException e) {
                errors.add(HEADER + " clause '" + clause.trim() + "': " + e.getMessage());
            }
        }
        return new Declarations(header, rules, errors);
    }

    private static Rule parseClause(String bsn, String name, String clause) {
        List<String> parts = split(clause, ';');
        RuleKind kind = RuleKind.parse(parts.get(0));
        String host = "*";
        String ports = "*";
        for (int i = 1; i < parts.size(); i++) {
            String p = parts.get(i);
            int eq = p.indexOf('=');
            if (eq < 0) {
                throw new IllegalArgumentException("'" + p.trim() + "' is not attribute=value");
            }
            String key = p.substring(0, eq).trim();
            if (key.endsWith(":")) {
                key = key.substring(0, key.length() - 1); // tolerate directive syntax
            }
            String value = unquote(p.substring(eq + 1).trim());
            switch (key) {
                case "host" -> host = value;
                case "ports" -> ports = value;
                default -> throw new IllegalArgumentException("unknown attribute '" + key + "' (use host and ports)");
            }
        }
        return new Rule(name, bsn, kind, Destination.parse(host), PortSet.parse(ports));
    }

    private static String unquote(String v) {
        return v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"") ? v.substring(1, v.length() - 1) : v;
    }

    /** Splits on {@code sep} outside double quotes. */
    static List<String> split(String s, char sep) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"') {
                quoted = !quoted;
            }
            if (c == sep && !quoted) {
                out.add(cur.toString());
                cur.setLength(0);
            } else {
                cur.append(c);
            }
        }
        out.add(cur.toString());
        return out;
    }

    /** The first declaration that covers the access, or {@code null}. */
    public Rule covering(Access access) {
        java.net.InetAddress a = access.address().getAddress();
        return covering(access.kind(), access.matchName(), access.endpointName(), a == null ? null : Ip.of(a),
                access.address().getPort());
    }

    /** Allocation-free {@link #covering(Access)}. */
    Rule covering(AccessKind kind, String name, String endpoint, Ip ip, int port) {
        for (int i = 0; i < rules.size(); i++) {
            Rule r = rules.get(i);
            if (r.covers(kind, name, endpoint, ip, port)) {
                return r;
            }
        }
        return null;
    }

    /**
     * The first declaration of the rule kind of {@code kind}, whatever its destination and ports, or
     * {@code null}: what an open through an operator-granted endpoint needs (see
     * {@link PolicyEngine}).
     */
    Rule ofKind(AccessKind kind) {
        RuleKind k = RuleKind.of(kind);
        for (int i = 0; i < rules.size(); i++) {
            Rule r = rules.get(i);
            if (r.kind() == k) {
                return r;
            }
        }
        return null;
    }

    /** The header clause a developer would add for this access. */
    public static String suggestAnnotation(Access access) {
        RuleKind k = RuleKind.of(access.kind());
        String host = access.kind() == AccessKind.UDP_BIND ? "*" : suggestedDestination(access, false);
        String ports = access.kind() == AccessKind.UDP_BIND || access.address().getPort() == 0 ? "*"
                : Integer.toString(access.address().getPort());
        return "@RequireSocket(kind = RequireSocket.Kind." + k.name() + ", host = \"" + host + "\", ports = \"" + ports
                + "\")";
    }

    /** The destination a suggested rule names: endpoint, requested name, or the IP when {@code ipNeeded}. */
    static String suggestedDestination(Access access, boolean ipNeeded) {
        if (access.endpointName() != null && !ipNeeded) {
            return "endpoint:" + access.endpointName();
        }
        java.net.InetAddress a = access.address().getAddress();
        boolean literal = Addresses.literal(access.requestedHost()) != null;
        if (ipNeeded || literal || access.kind() == AccessKind.TCP_LISTEN || access.kind() == AccessKind.MULTICAST_JOIN
                || access.kind() == AccessKind.UDP_BIND) {
            return a == null ? access.requestedHost() : Addresses.text(Addresses.normalize(a));
        }
        return Addresses.normalizeName(access.requestedHost());
    }
}
