package org.rawsockets.socket.mina.internal.policy;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.rawsockets.socket.mina.internal.config.ConfigCheck;

/**
 * The operator's part of the policy, read from the configuration of PID
 * {@code org.rawsockets.socket.policy} (see {@link PolicyConfig}): grants, quotas, the default
 * grants switch. Immutable; invalid lines are kept in {@link #errors()} and allow nothing.
 *
 * @param grants the grants, default grants first, then {@code grant.*} keys in name order, then the
 *            {@code grants} list
 * @param defaultQuotas quotas of bundles no override names
 * @param quotaOverrides per-bundle quotas, first match wins (exact names before globs)
 * @param defaultGrants whether the default (loopback) grants are in force
 * @param errors configuration lines that could not be used
 * @param originBundles symbolic names (globs) of the bundles that may open sockets for web origins
 *            ({@code origin:} grants apply only to sockets these bundles open for an origin)
 */
public record PolicySettings(List<Rule> grants, Quotas defaultQuotas, List<QuotaRule> quotaOverrides,
        boolean defaultGrants, List<String> errors, List<String> originBundles) {

    /** The bundles that may act for web origins when {@code originBundles} is not configured. */
    public static final List<String> DEFAULT_ORIGIN_BUNDLES = List.of("org.rawsockets.webbridge");

    /** The PID. */
    public static final String PID = "org.rawsockets.socket.policy";
    public static final String GRANT_PREFIX = "grant.";
    public static final String QUOTA_PREFIX = "quota.";

    /**
     * The grants in force when {@code defaultGrants} is true (the default): every declared access to
     * loopback (127.0.0.0/8 and ::1), all kinds, all ports. Privileged ports and port 25 stay
     * denied, nothing beyond this machine is reachable, listeners and UDP binds on 0.0.0.0/:: are refused.
     */
    public static final List<String> DEFAULT_GRANT_LINES = List.of("* * 127.0.0.0/8 *", "* * ::1 *");

    public static final Quotas DEFAULT_QUOTAS = new Quotas(256, 64, 64L * 1024 * 1024);

    /** The plain keys of the PID (besides {@code grant.<name>} and {@code quota.<name>}). */
    public static final List<String> KEYS = ConfigCheck.keysOf(PolicyConfig.class);

    /** One per-bundle quota override: {@code quota.<name> = <bundle-glob> maxOpenSockets=.. ...}. */
    public record QuotaRule(String name, String bundle, Quotas quotas) {
    }

    public PolicySettings {
        grants = List.copyOf(grants);
        quotaOverrides = List.copyOf(quotaOverrides);
        errors = List.copyOf(errors);
        originBundles = List.copyOf(originBundles);
    }

    /** Whether the bundle may open sockets for web origins ({@code originBundles}). */
    public boolean mayActForOrigins(String symbolicName) {
        for (int i = 0; i < originBundles.size(); i++) {
            if (Rule.glob(originBundles.get(i), symbolicName)) {
                return true;
            }
        }
        return false;
    }

    /** Nothing configured: the default grants and quotas. */
    public static PolicySettings defaults() {
        return from(Map.of());
    }

    /** Settings with only the given grant lines (named {@code g1}, {@code g2}, ...), for tests. */
    public static PolicySettings ofGrants(boolean defaultGrants, String... lines) {
        Map<String, Object> p = new TreeMap<>();
        p.put("defaultGrants", defaultGrants);
        for (int i = 0; i < lines.length; i++) {
            p.put(GRANT_PREFIX + "g" + (i + 1), lines[i]);
        }
        return from(p);
    }

    /** Reads configuration properties (a Config Admin dictionary as a map). */
    public static PolicySettings from(Map<String, ?> props) {
        List<String> errors = new ArrayList<>();
        boolean defaults;
        try {
            defaults = ConfigCheck.bool("defaultGrants", props.get("defaultGrants"), true);
        } catch (ConfigCheck.Problem p) {
            // Fail closed: a typo must not silently keep (or drop) loopback access; it is reported.
            errors.add(p.getMessage() + "; using false (the default loopback grants are off until this is fixed)");
            defaults = false;
        }
        auditSize(props, errors);
        List<Rule> grants = new ArrayList<>();
        if (defaults) {
            int i = 0;
            for (String line : DEFAULT_GRANT_LINES) {
                grants.add(Rule.parseGrant("default.loopback" + (i++ == 0 ? "" : "6"), line));
            }
        }
        Map<String, Object> sorted = new TreeMap<>(props);
        List<QuotaRule> exact = new ArrayList<>();
        List<QuotaRule> globs = new ArrayList<>();
        Quotas dq = new Quotas(intValue(props.get("maxOpenSockets"), DEFAULT_QUOTAS.maxOpenSockets(), errors, "maxOpenSockets"),
                intValue(props.get("maxPendingOpens"), DEFAULT_QUOTAS.maxPendingOpens(), errors, "maxPendingOpens"),
                longValue(props.get("maxBufferedBytes"), DEFAULT_QUOTAS.maxBufferedBytes(), errors, "maxBufferedBytes"));
        for (Map.Entry<String, Object> e : sorted.entrySet()) {
            String key = e.getKey();
            if (key.startsWith(GRANT_PREFIX) && key.length() > GRANT_PREFIX.length()) {
                for (String line : strings(e.getValue())) {
                    try {
                        grants.add(Rule.parseGrant(key.substring(GRANT_PREFIX.length()), line));
                    } catch (IllegalArgumentException ex) {
                        errors.add(ex.getMessage());
                    }
                }
            } else if (key.startsWith(QUOTA_PREFIX) && key.length() > QUOTA_PREFIX.length()) {
                for (String line : strings(e.getValue())) {
                    try {
                        QuotaRule q = parseQuota(key.substring(QUOTA_PREFIX.length()), line, dq);
                        (q.bundle().indexOf('*') < 0 ? exact : globs).add(q);
                    } catch (IllegalArgumentException ex) {
                        errors.add(ex.getMessage());
                    }
                }
            }
        }
        int n = 0;
        for (String line : strings(props.get("grants"))) {
            n++;
            try {
                grants.add(Rule.parseGrant("grants[" + n + "]", line));
            } catch (IllegalArgumentException ex) {
                errors.add(ex.getMessage());
            }
        }
        List<QuotaRule> overrides = new ArrayList<>(exact);
        overrides.addAll(globs);
        List<String> originBundles = props.containsKey("originBundles") ? new ArrayList<>() : DEFAULT_ORIGIN_BUNDLES;
        if (props.containsKey("originBundles")) {
            for (String b : strings(props.get("originBundles"))) {
                for (String one : b.split(",")) {
                    String t = one.trim();
                    if (t.isEmpty()) {
                        continue;
                    }
                    try {
                        if (Rule.isOrigin(t)) {
                            throw new IllegalArgumentException("an origin is not a bundle");
                        }
                        Rule.checkPrincipal(t);
                        originBundles.add(t);
                    } catch (IllegalArgumentException ex) {
                        errors.add("originBundles entry '" + t + "': " + ex.getMessage() + "; ignored");
                    }
                }
            }
        }
        return new PolicySettings(grants, dq, overrides, defaults, errors, originBundles);
    }

    static QuotaRule parseQuota(String name, String line, Quotas defaults) {
        String[] f = line.trim().split("\\s+");
        if (f.length < 2) {
            throw new IllegalArgumentException("quota '" + name + "' = '" + line + "' must be '<bundle> maxOpenSockets=N"
                    + " maxPendingOpens=N maxBufferedBytes=N' (any subset of the three)");
        }
        int open = defaults.maxOpenSockets();
        int pending = defaults.maxPendingOpens();
        long bytes = defaults.maxBufferedBytes();
        for (int i = 1; i < f.length; i++) {
            int eq = f[i].indexOf('=');
            String k = eq < 0 ? f[i] : f[i].substring(0, eq);
            String v = eq < 0 ? "" : f[i].substring(eq + 1);
            try {
                switch (k) {
                    case "maxOpenSockets" -> open = Integer.parseInt(v);
                    case "maxPendingOpens" -> pending = Integer.parseInt(v);
                    case "maxBufferedBytes" -> bytes = Long.parseLong(v);
                    default -> throw new IllegalArgumentException("quota '" + name + "': unknown limit '" + k
                            + "' (use maxOpenSockets, maxPendingOpens, maxBufferedBytes)");
                }
            } catch (NumberFormatException ex) {
                throw new IllegalArgumentException("quota '" + name + "': '" + f[i] + "' needs a number", ex);
            }
        }
        if (open < 0 || pending < 0 || bytes < 0) {
            throw new IllegalArgumentException("quota '" + name + "' = '" + line + "': limits must be >= 0");
        }
        try {
            Rule.checkPrincipal(f[0]);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("quota '" + name + "' = '" + line + "': " + e.getMessage(), e);
        }
        return new QuotaRule(name, f[0], new Quotas(open, pending, bytes));
    }

    /** The quotas of an owner: a bundle's, or an origin's ({@code quota.<name> = origin:<origin> ...}). */
    public Quotas quotasFor(Owner owner) {
        if (owner.origin() == null) {
            return quotasFor(owner.symbolicName());
        }
        for (QuotaRule q : quotaOverrides) {
            if (Rule.isOrigin(q.bundle()) && Rule.globFrom(q.bundle(), Owner.ORIGIN_PREFIX.length(), owner.origin())) {
                return q.quotas();
            }
        }
        return defaultQuotas;
    }

    /** The quotas of a bundle. */
    public Quotas quotasFor(String symbolicName) {
        for (QuotaRule q : quotaOverrides) {
            if (!Rule.isOrigin(q.bundle()) && Rule.glob(q.bundle(), symbolicName)) {
                return q.quotas();
            }
        }
        return defaultQuotas;
    }

    private static List<String> strings(Object v) {
        List<String> out = new ArrayList<>();
        if (v == null) {
            return out;
        }
        if (v instanceof String s) {
            if (!s.isBlank()) {
                out.add(s);
            }
        } else if (v instanceof String[] a) {
            for (String s : a) {
                if (s != null && !s.isBlank()) {
                    out.add(s);
                }
            }
        } else if (v instanceof Collection<?> c) {
            for (Object o : c) {
                if (o != null && !o.toString().isBlank()) {
                    out.add(o.toString());
                }
            }
        } else {
            out.add(v.toString());
        }
        return out;
    }

    /**
     * The audit ring size ({@code auditSize}, 1..{@value RingAuditLog#MAX_CAPACITY}); an invalid value
     * is reported in {@code errors} (when given) and the default is used.
     */
    public static int auditSize(Map<String, ?> props, List<String> errors) {
        try {
            return (int) ConfigCheck.number("auditSize", props.get("auditSize"), RingAuditLog.DEFAULT_CAPACITY, 1,
                    RingAuditLog.MAX_CAPACITY);
        } catch (ConfigCheck.Problem p) {
            if (errors != null) {
                errors.add(p.getMessage() + "; using " + RingAuditLog.DEFAULT_CAPACITY);
            }
            return RingAuditLog.DEFAULT_CAPACITY;
        }
    }

    private static int intValue(Object v, int dflt, List<String> errors, String key) {
        return (int) number(v, dflt, Integer.MAX_VALUE, errors, key);
    }

    private static long longValue(Object v, long dflt, List<String> errors, String key) {
        return number(v, dflt, Long.MAX_VALUE, errors, key);
    }

    private static long number(Object v, long dflt, long max, List<String> errors, String key) {
        try {
            return ConfigCheck.number(key, v, dflt, 0, max);
        } catch (ConfigCheck.Problem p) {
            errors.add(p.getMessage() + "; using " + dflt);
            return dflt;
        }
    }
}
