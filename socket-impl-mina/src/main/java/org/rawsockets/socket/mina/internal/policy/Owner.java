package org.rawsockets.socket.mina.internal.policy;

import java.util.Objects;

import org.osgi.framework.Bundle;

/**
 * Who a socket belongs to: a bundle, or a bundle acting for a web page's origin (the Direct Sockets
 * bridge; {@link org.rawsockets.socket.OriginSocketServices}).
 *
 * <p>An owner with an origin is its own policy principal: only grants and quotas naming
 * {@code origin:<origin>} apply to it (never the bundle's own grants, nor {@code *} grants such as
 * the default loopback grants), its bundle's declarations still bound what it may do, and the
 * built-in denials hold as for bundles.
 *
 * @param bundleId the bundle id (or a synthetic id outside OSGi)
 * @param symbolicName the bundle symbolic name
 * @param bundle the bundle, {@code null} outside OSGi (unit and contract tests); the policy reads
 *            the bundle's socket declarations from its headers
 * @param origin the web origin the bundle acts for ({@code https://hmi.example.com}), {@code null}
 *            for the bundle itself
 */
public record Owner(long bundleId, String symbolicName, Bundle bundle, String origin) {

    /** The prefix of an origin principal in grant and quota lines. */
    public static final String ORIGIN_PREFIX = "origin:";

    public Owner {
        Objects.requireNonNull(symbolicName, "symbolicName");
    }

    /** The owner for a bundle itself. */
    public Owner(long bundleId, String symbolicName, Bundle bundle) {
        this(bundleId, symbolicName, bundle, null);
    }

    /** This bundle acting for a web origin. */
    public Owner forOrigin(String webOrigin) {
        return new Owner(bundleId, symbolicName, bundle, Objects.requireNonNull(webOrigin, "origin"));
    }

    /**
     * The principal grants and quotas name: the symbolic name, or {@code origin:<origin>} for an owner
     * acting for a web origin.
     */
    public String principal() {
        return origin == null ? symbolicName : ORIGIN_PREFIX + origin;
    }

    /**
     * This owner without its {@link Bundle} object (same id, name and origin; {@link #toString()} alike),
     * for what outlives the bundle, such as audit entries: holding the Bundle of an uninstalled bundle
     * keeps its revision, manifest and jar index in memory.
     */
    public Owner detached() {
        return bundle == null ? this : new Owner(bundleId, symbolicName, null, origin);
    }

    /** The owner for a bundle (a bundle without a symbolic name is named {@code bundle-<id>}). */
    public static Owner of(Bundle bundle) {
        String bsn = bundle.getSymbolicName();
        return new Owner(bundle.getBundleId(), bsn == null ? "bundle-" + bundle.getBundleId() : bsn, bundle);
    }

    /** An owner outside OSGi, for tests and benchmarks. */
    public static Owner of(long id, String symbolicName) {
        return new Owner(id, symbolicName, null);
    }

    /**
     * {@code symbolicName [id]}, or {@code symbolicName [id] for origin https://...}, as shown in
     * listings, the audit and messages.
     */
    @Override
    public String toString() {
        return origin == null ? symbolicName + " [" + bundleId + "]"
                : symbolicName + " [" + bundleId + "] for origin " + origin;
    }
}
