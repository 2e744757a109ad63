package org.rawsockets.socket.mina.internal.policy;

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
 * declarations are cached per bundle (bounded).
 */
public final class PolicyEngine implements SocketPolicy, PolicyInspector {

    private static final int DECLARATION_CACHE_LIMIT = 1024;

    private final Function<Owner, String> headerLookup;
    private final Map<Long, Cached> declarationCache = new ConcurrentHashMap<>();
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
        Decision d = explain(owner, access);
        if (!d.allowed()) {
            refusals.increment();
            throw new NotAllowedException(d.message());
        }
    }

    @Override
    public boolean allows(Owner owner, Access access) {
        boolean ok = explain(owner, access).allowed();
        if (!ok) {
            refusals.increment();
        }
        return ok;
    }

    @Override
    public Quotas quotas(Owner owner) {
        return settings.quotasFor(owner.symbolicName());
    }

    @Override
    public Declarations declarations(Owner owner) {
        long lm = owner.bundle() == null ? 0 : owner.bundle().getLastModified();
        Cached c = declarationCache.get(owner.bundleId());
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
        declarationCache.put(owner.bundleId(), new Cached(header, lm, d));
        return d;
    }

    @Override
    public Decision explain(Owner owner, Access access) {
        PolicySettings s = settings;
        Declarations decls = declarations(owner);
        Rule declaration = decls.covering(access);
        List<BuiltInDenial> denials = new ArrayList<>();
        for (BuiltInDenial d : BuiltInDenial.values()) {
            if (d.applies(access)) {
                denials.add(d);
            }
        }
        Rule covering = null;
        Rule allowing = null;
        for (Rule g : s.grants()) {
            if (!g.appliesTo(owner.symbolicName()) || !g.covers(access)) {
                continue;
            }
            if (covering == null) {
                covering = g;
            }
            if (liftsAll(g, denials, access)) {
                allowing = g;
                break;
            }
        }
        if (declaration != null && allowing != null) {
            return new Decision(true, owner, access, declaration, allowing, denials, List.of(), List.of());
        }
        List<String> reasons = new ArrayList<>();
        List<String> fixes = new ArrayList<>();
        if (declaration == null) {
            reasons.add(decls.header() == null
                    ? "the bundle declares no socket access (no " + Declarations.HEADER + " manifest header)"
                    : "the bundle does not declare it (" + Declarations.HEADER + ": " + decls.header() + ")");
            fixes.add("The bundle's developer must declare it, e.g. " + Declarations.suggestAnnotation(access)
                    + " on a class of the bundle; configuration cannot grant what a bundle does not declare.");
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
                                + (d.blocks().isEmpty() ? "the port explicitly (not *)" : "the IP address or a block inside it")
                                + " lifts");
                        ipNeeded |= !d.blocks().isEmpty();
                    }
                }
            }
            String line = suggestedGrant(owner, access, ipNeeded);
            String name = suggestedName(owner, access);
            fixes.add("To allow it, add to etc/" + PolicySettings.PID + ".cfg the line 'grant." + name + " = " + line
                    + "' (or run: policy:grant " + name + " " + line + ").");
        }
        return new Decision(false, owner, access, declaration, allowing != null ? allowing : covering, denials, reasons,
                fixes);
    }

    private static boolean liftsAll(Rule g, List<BuiltInDenial> denials, Access access) {
        for (BuiltInDenial d : denials) {
            if (!d.liftedBy(g, access)) {
                return false;
            }
        }
        return true;
    }

    /** The grant line that would allow exactly this access. */
    static String suggestedGrant(Owner owner, Access access, boolean ipNeeded) {
        RuleKind k = RuleKind.of(access.kind());
        int port = access.address().getPort();
        String dest = access.kind() == AccessKind.UDP_BIND ? "*" : Declarations.suggestedDestination(access, ipNeeded);
        String ports = port == 0 ? "*" : Integer.toString(port);
        if (access.kind() == AccessKind.UDP_BIND && !(port >= 1 && port <= 1023)) {
            ports = "*";
        }
        return owner.symbolicName() + " " + k.token() + " " + dest + " " + ports;
    }

    static String suggestedName(Owner owner, Access access) {
        String bsn = owner.symbolicName();
        String last = bsn.substring(bsn.lastIndexOf('.') + 1);
        String n = last + "-" + RuleKind.of(access.kind()).token()
                + (access.address().getPort() == 0 ? "" : "-" + access.address().getPort());
        return n.replaceAll("[^A-Za-z0-9_.-]", "_");
    }
}
