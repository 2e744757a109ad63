package org.rawsockets.socket.mina.internal.policy;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;

import org.osgi.framework.Bundle;
import org.rawsockets.socket.NotAllowedException;

/**
 * The socket policy: an access is allowed when the owner's declarations cover it, a grant covers
 * it, and that grant explicitly lifts every built-in denial that applies ({@link BuiltInDenial}).
 * Plain Java; the DS component {@link PolicyComponent} feeds it its configuration.
 *
 * <p>Thread-safe and non-blocking: settings are an immutable snapshot swapped atomically, parsed
 * declarations are cached per bundle (bounded; entries of uninstalled bundles are dropped).
 */
public final class PolicyEngine implements SocketPolicy, PolicyInspector {

    private static final int DECLARATION_CACHE_LIMIT = 1024;

    private final Function<Owner, String> headerLookup;
    private final Map<Owner, Cached> declarationCache = new ConcurrentHashMap<>();
    private final LongAdder refusals = new LongAdder();
    private volatile PolicySettings settings;

    private record Cached(String header, long lastModified, Declarations declarations) {
    }

    /** Reads declarations from the owner's bundle headers (OSGi). */
    public PolicyEngine(PolicySettings settings) {
        this(settings, PolicyEngine::bundleHeader);
    }

    /**
     * @param headerLookup gives the {@code RawSockets-Access} header of an owner, {@code null} when it
     *            has none (outside OSGi, tests supply it)
     */
    public PolicyEngine(PolicySettings settings, Function<Owner, String> headerLookup) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.headerLookup = Objects.requireNonNull(headerLookup, "headerLookup");
    }

    /** For tests: whether the parsed declarations of {@code owner} are cached. */
    boolean cachesDeclarationsOf(Owner owner) {
        return declarationCache.containsKey(owner);
    }

    private static boolean uninstalled(Owner o) {
        return o.bundle() != null && o.bundle().getState() == Bundle.UNINSTALLED;
    }

    /** The {@code RawSockets-Access} header of the owner's bundle, {@code null} outside OSGi. */
    public static String bundleHeader(Owner owner) {
        Bundle b = owner.bundle();
        if (b == null) {
            return null;
        }
        try {
            return b.getHeaders("").get(Declarations.HEADER); // raw, unlocalised
        } catch (IllegalStateException e) {
            return null; // uninstalled
        }
    }

    /** Replaces the settings (configuration changed); sockets already open are not re-checked. */
    public void update(PolicySettings newSettings) {
        this.settings = Objects.requireNonNull(newSettings, "settings");
    }

    @Override
    public PolicySettings settings() {
        return settings;
    }

    @Override
    public long refusals() {
        return refusals.sum();
    }

    @Override
    public void check(Owner owner, Access access) throws NotAllowedException {
        if (!decide(owner, access).allowed()) {
            refusals.increment();
            throw new NotAllowedException(explain(owner, access).message());
        }
    }

    @Override
    public boolean allows(Owner owner, Access access) {
        boolean ok = decide(owner, access).allowed();
        if (!ok) {
            refusals.increment();
        }
        return ok;
    }

    /** Allocation-free for a source seen recently (see {@link Ip#of}): the inbound datagram check. */
    @Override
    public boolean allowsDatagramFrom(Owner owner, InetSocketAddress source, String endpointName) {
        InetAddress a = source.getAddress();
        boolean ok = a != null && decide(owner, AccessKind.UDP_RECEIVE, null, endpointName, Ip.of(a), source.getPort())
                .allowed();
        if (!ok) {
            refusals.increment();
        }
        return ok;
    }

    @Override
    public Quotas quotas(Owner owner) {
        return settings.quotasFor(owner);
    }

    @Override
    public Declarations declarations(Owner owner) {
        long lm = owner.bundle() == null ? 0 : owner.bundle().getLastModified();
        Cached c = declarationCache.get(owner);
        if (c != null && owner.bundle() != null && c.lastModified == lm) {
            return c.declarations; // a manifest cannot change without the bundle's lastModified changing
        }
        String header = headerLookup.apply(owner);
        if (c != null && c.lastModified == lm && Objects.equals(c.header, header)) {
            return c.declarations;
        }
        Declarations d = Declarations.parse(owner.symbolicName(), header);
        if (declarationCache.size() >= DECLARATION_CACHE_LIMIT) {
            declarationCache.clear();
        }
        // A redeployed bundle is a new owner (new id): drop the entries of uninstalled bundles, whose
        // Bundle objects would otherwise keep their revisions and jar indexes (issue 21's churn).
        declarationCache.keySet().removeIf(PolicyEngine::uninstalled);
        declarationCache.put(owner, new Cached(header, lm, d));
        return d;
    }

    /**
     * Decides without explaining: no message, no list, no exception is built (the explanation is
     * {@link #explain(Owner, Access)}, built only when it is shown or thrown).
     */
    public Verdict decide(Owner owner, Access access) {
        InetAddress a = access.address().getAddress();
        return decide(owner, access.kind(), access.matchName(), access.endpointName(), a == null ? null : Ip.of(a),
                access.address().getPort(), access.networkInterface());
    }

    /**
     * The decision itself; allocation-free (indexed loops, bit masks, enum constants).
     *
     * @param name the requested host as {@link Access#matchName()} gives it, {@code null} for an IP
     *            literal
     */
    Verdict decide(Owner owner, AccessKind kind, String name, String endpoint, Ip ip, int port) {
        return decide(owner, kind, name, endpoint, ip, port, null);
    }

    /** {@link #decide(Owner, AccessKind, String, String, Ip, int)} for a multicast join on {@code iface}. */
    Verdict decide(Owner owner, AccessKind kind, String name, String endpoint, Ip ip, int port, String iface) {
        PolicySettings s = settings;
        if (owner.origin() != null && !s.mayActForOrigins(owner.symbolicName())) {
            return Verdict.NOT_GRANTED;
        }
        Declarations decls = declarations(owner);
        boolean declared = decls.covering(kind, name, endpoint, ip, port) != null;
        boolean kindDeclared = declared || endpoint != null && decls.ofKind(kind) != null;
        if (!kindDeclared) {
            return Verdict.NOT_DECLARED;
        }
        int denials = denialMask(kind, ip, port);
        boolean covered = false;
        boolean lifted = false;
        boolean endpointGranted = false;
        List<Rule> grants = s.grants();
        for (int i = 0; i < grants.size(); i++) {
            Rule g = grants.get(i);
            if (!g.appliesTo(owner) || !g.covers(kind, name, endpoint, ip, port, iface)) {
                continue;
            }
            covered = true;
            endpointGranted |= g.destination() instanceof Destination.Endpoint;
            lifted |= liftsAll(g, denials, ip, port);
            if (lifted && (declared || endpointGranted)) {
                break;
            }
        }
        if (!declared && !endpointGranted) {
            return Verdict.NOT_DECLARED;
        }
        return !covered ? Verdict.NOT_GRANTED : lifted ? Verdict.ALLOWED : Verdict.BUILT_IN_DENIAL;
    }

    private static int denialMask(AccessKind kind, Ip ip, int port) {
        int mask = 0;
        BuiltInDenial[] all = BuiltInDenial.all();
        for (int i = 0; i < all.length; i++) {
            if (all[i].applies(kind, ip, port)) {
                mask |= 1 << i;
            }
        }
        return mask;
    }

    private static boolean liftsAll(Rule g, int denials, Ip ip, int port) {
        BuiltInDenial[] all = BuiltInDenial.all();
        for (int i = 0; i < all.length; i++) {
            if ((denials & (1 << i)) != 0 && !all[i].liftedBy(g, ip, port)) {
                return false;
            }
        }
        return true;
    }

    /**
     * Decides like {@link #decide(Owner, Access)} and explains: which declaration and grant allow
     * it, or why not and the exact lines that would allow it.
     *
     * <p>An open through a named endpoint ({@link Access#endpointName()}) that a grant covering
     * {@code endpoint:<name>} allows needs only a declaration of the kind (e.g. {@code TCP} to any
     * host and port): the endpoint's address and port are the operator's decision.
     */
    @Override
    public Decision explain(Owner owner, Access access) {
        PolicySettings s = settings;
        Declarations decls = declarations(owner);
        InetAddress addr = access.address().getAddress();
        Ip ip = addr == null ? null : Ip.of(addr);
        String name = access.matchName();
        String endpoint = access.endpointName();
        AccessKind kind = access.kind();
        int port = access.address().getPort();
        Rule declaration = decls.covering(kind, name, endpoint, ip, port);
        Rule kindDeclaration = endpoint == null ? null : decls.ofKind(kind);
        List<BuiltInDenial> denials = new ArrayList<>();
        int mask = denialMask(kind, ip, port);
        for (BuiltInDenial d : BuiltInDenial.all()) {
            if ((mask & (1 << d.ordinal())) != 0) {
                denials.add(d);
            }
        }
        Rule covering = null;
        Rule allowing = null;
        Rule endpointGrant = null;
        for (Rule g : s.grants()) {
            if (!g.appliesTo(owner) || !g.covers(kind, name, endpoint, ip, port, access.networkInterface())) {
                continue;
            }
            if (covering == null) {
                covering = g;
            }
            if (endpointGrant == null && g.destination() instanceof Destination.Endpoint) {
                endpointGrant = g;
            }
            if (allowing == null && liftsAll(g, mask, ip, port)) {
                allowing = g;
            }
        }
        Rule declared = declaration != null ? declaration : endpointGrant != null ? kindDeclaration : null;
        Rule through = declaration == null && declared != null ? endpointGrant : null;
        if (owner.origin() != null && !s.mayActForOrigins(owner.symbolicName())) {
            return new Decision(false, owner, access, declared, null, null, denials, List.of("bundle "
                    + owner.symbolicName() + " may not open sockets for web origins (originBundles = "
                    + s.originBundles() + ")"), List.of("To allow it, add " + owner.symbolicName()
                    + " to originBundles in etc/" + PolicySettings.PID + ".cfg (only bundles that authenticate the"
                    + " page belong there)."));
        }
        if (declared != null && allowing != null) {
            return new Decision(true, owner, access, declared, allowing, through, denials, List.of(), List.of());
        }
        List<String> reasons = new ArrayList<>();
        List<String> fixes = new ArrayList<>();
        List<String> lines = new ArrayList<>();
        if (declared == null) {
            if (decls.header() == null) {
                reasons.add("the bundle declares no socket access (no " + Declarations.HEADER + " manifest header)");
            } else if (kindDeclaration != null) {
                reasons.add("the bundle does not declare it (" + Declarations.HEADER + ": " + decls.header()
                        + ") and no grant covers endpoint:" + endpoint + " (a grant of the endpoint lets the operator"
                        + " choose its address and port for a kind the bundle declares)");
                lines.add(suggestedGrant(owner, access, false));
            } else {
                reasons.add("the bundle does not declare it (" + Declarations.HEADER + ": " + decls.header() + ")");
            }
            if (kindDeclaration == null) {
                fixes.add("The bundle's developer must declare it, e.g. " + Declarations.suggestAnnotation(access)
                        + " on a class of the bundle; configuration cannot grant what a bundle does not declare.");
            }
        }
        if (allowing == null) {
            boolean ipNeeded = false;
            if (covering == null) {
                reasons.add("no grant covers it");
                for (BuiltInDenial d : denials) {
                    reasons.add("it is also in the built-in denial '" + d.id() + "' (" + d.description()
                            + (d.blocks().isEmpty() ? "" : " " + d.blocks()) + ")");
                    ipNeeded |= !d.blocks().isEmpty();
                }
            } else {
                for (BuiltInDenial d : denials) {
                    if (!d.liftedBy(covering, access)) {
                        reasons.add("grant '" + covering.name() + "' (" + covering.line() + ") covers it but does not"
                                + " lift the built-in denial '" + d.id() + "' (" + d.description()
                                + (d.blocks().isEmpty() ? "" : " " + d.blocks()) + "), which only a grant naming "
                                + liftedOnlyBy(d) + " lifts");
                        ipNeeded |= !d.blocks().isEmpty();
                    }
                }
            }
            String line = suggestedGrant(owner, access, ipNeeded);
            if (!lines.contains(line)) {
                lines.add(line);
            }
        }
        for (String line : lines) {
            String n = suggestedName(line);
            fixes.add("To allow it, add to etc/" + PolicySettings.PID + ".cfg the line 'grant." + n + " = " + line
                    + "' (or run: policy:grant " + n + " " + shellLine(line) + ").");
        }
        return new Decision(false, owner, access, declared, allowing != null ? allowing : covering, through, denials,
                reasons, fixes);
    }

    /** A grant line as {@code policy:grant} arguments: a whole-field {@code *} becomes {@code any} (no quoting in Gogo). */
    static String shellLine(String line) {
        StringBuilder sb = new StringBuilder();
        for (String f : line.trim().split("\\s+")) {
            if (sb.length() > 0) {
                sb.append(' ');
            }
            sb.append(f.equals("*") ? "any" : f);
        }
        return sb.toString();
    }

    private static String liftedOnlyBy(BuiltInDenial d) {
        return switch (d) {
            case SMTP, PRIVILEGED_PORT -> "the port itself (not *, not a range around it)";
            case ALL_INTERFACES -> "that address (" + String.join(" or ", d.blocks().stream().map(Cidr::toString).toList())
                    + ") with the port";
            default -> "the IP address or a block inside it";
        };
    }

    /** The grant line that would allow exactly this access. */
    static String suggestedGrant(Owner owner, Access access, boolean ipNeeded) {
        RuleKind k = RuleKind.of(access.kind());
        int port = access.address().getPort();
        boolean bind = access.kind() == AccessKind.UDP_BIND;
        String dest = bind && !ipNeeded ? "*" : Declarations.suggestedDestination(access, ipNeeded);
        String ports = port == 0 ? "*" : Integer.toString(port);
        if (bind && !ipNeeded && !(port >= 1 && port <= 1023)) {
            ports = "*";
        }
        return owner.principal() + " " + k.token() + " " + dest + " " + ports
                + (access.networkInterface() == null ? "" : " interface=" + access.networkInterface());
    }

    /**
     * The grant name suggested for a line: {@code <bsn-tail>-<kind>[-<destination>][-<port>]}, so two
     * suggestions for different hosts on the same port do not replace each other.
     */
    static String suggestedName(String line) {
        String[] f = line.split(" ");
        String bsn = f[0];
        String who = Rule.isOrigin(bsn) ? "origin-" + bsn.substring(bsn.indexOf("://") + 3)
                : bsn.substring(bsn.lastIndexOf('.') + 1);
        StringBuilder n = new StringBuilder(who).append('-').append(f[1]);
        if (!f[2].equals("*")) {
            n.append('-').append(f[2]);
        }
        if (!f[3].equals("*")) {
            n.append('-').append(f[3]);
        }
        return n.toString().replaceAll("[^A-Za-z0-9_.-]", "_");
    }
}
