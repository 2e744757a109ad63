package org.rawsockets.socket.mina.internal.policy;

/**
 * The destination part of a rule: {@code *}, a host name or glob ({@code *.example.org},
 * internationalised names compared in ASCII form), an IP address or CIDR block, or
 * {@code endpoint:<name>}.
 *
 * <p>Names and globs are compared with the host name the bundle asked for; IP addresses and CIDR
 * blocks with the resolved address that will actually be used. So a name grant never lets a DNS
 * answer reach a built-in denied address: only IP/CIDR grants lift those.
 */
public sealed interface Destination {

    default boolean matches(Access access) {
        java.net.InetAddress a = access.address().getAddress();
        return matches(access.matchName(), access.endpointName(), a == null ? null : Ip.of(a));
    }

    /**
     * Allocation-free match.
     *
     * @param name the requested host name as {@link Access#matchName()} gives it, {@code null} for
     *            an IP literal
     * @param endpoint the endpoint opened, or {@code null}
     * @param ip the resolved address, or {@code null}
     */
    boolean matches(String name, String endpoint, Ip ip);

    /** Any destination: {@code *}. */
    record Any() implements Destination {
        @Override
        public boolean matches(String name, String endpoint, Ip ip) {
            return true;
        }

        @Override
        public String toString() {
            return "*";
        }
    }

    /** An IP address or block, compared with the resolved address. */
    record Block(Cidr cidr) implements Destination {
        @Override
        public boolean matches(String name, String endpoint, Ip ip) {
            return ip != null && cidr.contains(ip);
        }

        @Override
        public String toString() {
            return cidr.toString();
        }
    }

    /** A host name or glob, compared with the requested host name (never with an IP literal). */
    record HostGlob(String pattern) implements Destination {
        static HostGlob of(String text) {
            String p = Addresses.normalizeName(text);
            if (p.isEmpty() || !p.matches("[a-z0-9*._-]+")) {
                throw new IllegalArgumentException("'" + text + "' is not a host name, glob (*.example.org), IP, CIDR"
                        + " or endpoint:<name>");
            }
            return new HostGlob(p);
        }

        boolean isExact() {
            return pattern.indexOf('*') < 0;
        }

        @Override
        public boolean matches(String name, String endpoint, Ip ip) {
            return name != null && Rule.glob(pattern, name);
        }

        @Override
        public String toString() {
            return pattern;
        }
    }

    /** A named endpoint the operator configured. */
    record Endpoint(String name) implements Destination {
        @Override
        public boolean matches(String host, String endpoint, Ip ip) {
            return name.equals(endpoint);
        }

        @Override
        public String toString() {
            return "endpoint:" + name;
        }
    }

    /** @throws IllegalArgumentException saying what forms are accepted */
    static Destination parse(String text) {
        String t = text.trim();
        if (t.equals("*")) {
            return new Any();
        }
        if (t.startsWith("endpoint:")) {
            String name = t.substring("endpoint:".length()).trim();
            if (name.isEmpty()) {
                throw new IllegalArgumentException("'" + t + "': endpoint:<name> needs the endpoint's name");
            }
            return new Endpoint(name);
        }
        Cidr c = Cidr.parse(t);
        if (c != null) {
            return new Block(c);
        }
        return HostGlob.of(t);
    }
}
