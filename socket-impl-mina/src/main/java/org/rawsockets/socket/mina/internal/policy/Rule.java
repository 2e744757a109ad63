package org.rawsockets.socket.mina.internal.policy;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One grant (operator) or declaration (bundle): who, what kind, which destination, which ports.
 *
 * <p>Grant line syntax, as written in {@code etc/org.rawsockets.socket.policy.cfg} after
 * {@code grant.<name> =}:
 *
 * <pre>
 * &lt;bundle&gt; &lt;kind&gt; &lt;destination&gt; &lt;ports&gt; [interface=&lt;name&gt;]
 *   bundle       bundle symbolic name or glob: org.rawsockets.smtp, org.example.*, *
 *   kind         tcp | tcp-listen | tcp-bind | udp-connected | udp-bound | multicast | *
 *   destination  * | host | *.example.org | 192.0.2.7 | 10.0.0.0/8 | fd00::/8 | endpoint:name
 *   ports        * | 22 | 8000-8100 | 25,465,587
 *   interface    multicast grants only: the network interface the group may be joined on (eth0, lo)
 * </pre>
 *
 * @param name the rule's name ({@code grant.<name>} key, or a generated one)
 * @param bundle bundle symbolic name glob
 * @param kind the kind, {@code null} for every kind ({@code *}, grants only)
 * @param destination where
 * @param ports which ports
 * @param networkInterface multicast grants: the only interface they cover joins on; {@code null}: any
 */
public record Rule(String name, String bundle, RuleKind kind, Destination destination, PortSet ports,
        String networkInterface) {

    private static final Pattern BSN_GLOB = Pattern.compile("[A-Za-z0-9_.*-]+");
    /** {@code origin:<scheme>://<host>[:<port>]}, host and port may hold {@code *} globs. */
    private static final Pattern ORIGIN_GLOB = Pattern.compile("origin:[a-z*][a-z0-9+.*-]*://[a-z0-9_.*\\[\\]:-]+");
    /** A Linux/BSD interface name (eth0, enp3s0, wlan0, lo, br-lan, eth0.100). */
    private static final Pattern INTERFACE = Pattern.compile("[A-Za-z0-9_.:@-]{1,32}");

    public Rule {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(bundle, "bundle");
        Objects.requireNonNull(destination, "destination");
        Objects.requireNonNull(ports, "ports");
    }

    /** A rule for any network interface. */
    public Rule(String name, String bundle, RuleKind kind, Destination destination, PortSet ports) {
        this(name, bundle, kind, destination, ports, null);
    }

    /**
     * Parses a grant line ({@code <bundle> <kind> <destination> <ports>}).
     *
     * @throws IllegalArgumentException naming the rule, the bad part and the expected form
     */
    public static Rule parseGrant(String name, String line) {
        String[] f = line.trim().split("\\s+");
        if (f.length != 4 && f.length != 5) {
            throw new IllegalArgumentException("grant '" + name + "' = '" + line + "' must have 4 fields"
                    + " '<bundle> <kind> <destination> <ports>', e.g. 'org.rawsockets.smtp tcp *.example.org 587'"
                    + " (a multicast grant may add a fifth, interface=<name>)");
        }
        try {
            checkPrincipal(f[0]);
            RuleKind kind = f[1].equals("*") ? null : RuleKind.parse(f[1]);
            String iface = null;
            if (f.length == 5) {
                if (!f[4].startsWith("interface=") || !INTERFACE.matcher(f[4].substring("interface=".length())).matches()) {
                    throw new IllegalArgumentException("the fifth field must be interface=<name> (a network interface such"
                            + " as eth0 or lo), was '" + f[4] + "'");
                }
                if (kind != RuleKind.MULTICAST) {
                    throw new IllegalArgumentException("interface= restricts multicast grants only (the interface a group"
                            + " is joined on); kind was " + f[1]);
                }
                iface = f[4].substring("interface=".length());
            }
            return new Rule(name, f[0], kind, Destination.parse(f[2]), PortSet.parse(f[3]), iface);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("grant '" + name + "' = '" + line + "': " + e.getMessage(), e);
        }
    }

    /** Whether the rule applies to this bundle symbolic name. */
    public boolean appliesTo(String symbolicName) {
        return !isOrigin(bundle) && glob(bundle, symbolicName);
    }

    /**
     * Whether the rule applies to this owner: a bundle rule to a bundle's own sockets, an
     * {@code origin:} rule to the sockets a bundle opens for a matching web origin (and nothing else:
     * {@code *} does not cover origins). Allocation-free.
     */
    public boolean appliesTo(Owner owner) {
        if (owner.origin() == null) {
            return appliesTo(owner.symbolicName());
        }
        return isOrigin(bundle) && globFrom(bundle, Owner.ORIGIN_PREFIX.length(), owner.origin());
    }

    /** Whether a principal field names a web origin ({@code origin:...}). */
    public static boolean isOrigin(String principal) {
        return principal.startsWith(Owner.ORIGIN_PREFIX);
    }

    /**
     * Checks the principal field of a grant or quota line: a bundle symbolic name or glob, or
     * {@code origin:<scheme>://<host>[:<port>]} (lower case, globs allowed).
     */
    static void checkPrincipal(String principal) {
        if (isOrigin(principal)) {
            if (!ORIGIN_GLOB.matcher(principal).matches()) {
                throw new IllegalArgumentException("'" + principal + "' is not a web origin: write"
                        + " origin:<scheme>://<host>[:<port>] in lower case, e.g. origin:https://hmi.example.com or"
                        + " origin:http://127.0.0.1:8080 (no path, no trailing slash; * globs allowed)");
            }
        } else if (!BSN_GLOB.matcher(principal).matches()) {
            throw new IllegalArgumentException("'" + principal + "' is not a bundle symbolic name or glob"
                    + " (nor origin:<scheme>://<host>[:<port>])");
        }
    }

    /** {@link #glob} of {@code pattern} from index {@code from} on. */
    static boolean globFrom(String pattern, int from, String value) {
        if (pattern.indexOf('*', from) < 0) {
            return pattern.length() - from == value.length() && pattern.startsWith(value, from);
        }
        return glob(pattern.substring(from), value);
    }

    /**
     * Glob match: {@code *} matches any run of characters (dots included). Allocation-free: it runs
     * per open, per quota look-up and per inbound datagram.
     */
    static boolean glob(String pattern, String value) {
        if (pattern.equals("*")) {
            return true;
        }
        if (pattern.indexOf('*') < 0) {
            return pattern.equals(value);
        }
        int p = 0;
        int v = 0;
        int star = -1;
        int mark = 0;
        while (v < value.length()) {
            if (p < pattern.length() && pattern.charAt(p) == '*') {
                star = p++;
                mark = v;
            } else if (p < pattern.length() && pattern.charAt(p) == value.charAt(v)) {
                p++;
                v++;
            } else if (star >= 0) {
                p = star + 1;
                v = ++mark;
            } else {
                return false;
            }
        }
        while (p < pattern.length() && pattern.charAt(p) == '*') {
            p++;
        }
        return p == pattern.length();
    }

    /**
     * Whether kind, destination and port cover the access (the bundle is checked separately). Binding
     * a bound UDP socket is covered by any {@code udp-bound} rule: its destination and ports are
     * those of the peers, checked on every send and receive (binding on all interfaces is a built-in
     * denial that only a grant naming {@code 0.0.0.0}/{@code ::} lifts). A {@code udp-bound} rule
     * whose destination is exactly {@code 0.0.0.0} or {@code ::} is such a bind grant and covers no
     * peer.
     */
    public boolean covers(Access access) {
        java.net.InetAddress a = access.address().getAddress();
        return covers(access.kind(), access.matchName(), access.endpointName(), a == null ? null : Ip.of(a),
                access.address().getPort(), access.networkInterface());
    }

    /** {@link #covers(AccessKind, String, String, Ip, int, String)} for an access on no particular interface. */
    boolean covers(AccessKind accessKind, String name, String endpoint, Ip ip, int port) {
        return covers(accessKind, name, endpoint, ip, port, null);
    }

    /**
     * Allocation-free {@link #covers(Access)}; {@code name} as {@link Access#matchName()}; a rule
     * restricted to an interface covers only accesses on that interface.
     */
    boolean covers(AccessKind accessKind, String name, String endpoint, Ip ip, int port, String iface) {
        RuleKind k = RuleKind.of(accessKind);
        if (kind != null && kind != k) {
            return false;
        }
        if (networkInterface != null && !networkInterface.equals(iface)) {
            return false;
        }
        if (accessKind == AccessKind.UDP_BIND) {
            return true;
        }
        if ((accessKind == AccessKind.UDP_SEND || accessKind == AccessKind.UDP_RECEIVE)
                && destination instanceof Destination.Block b && b.cidr().isUnspecifiedAddress()) {
            return false;
        }
        return destination.matches(name, endpoint, ip) && ports.contains(port);
    }

    /** The grant line, as it would be written in the configuration. */
    public String line() {
        return bundle + " " + (kind == null ? "*" : kind.token()) + " " + destination + " " + ports
                + (networkInterface == null ? "" : " interface=" + networkInterface);
    }

    @Override
    public String toString() {
        return name + " = " + line();
    }
}
