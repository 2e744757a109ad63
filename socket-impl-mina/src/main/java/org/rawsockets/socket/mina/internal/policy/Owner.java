package org.rawsockets.socket.mina.internal.policy;

import java.util.Objects;

import org.osgi.framework.Bundle;

/**
 * The bundle a socket belongs to.
 *
 * @param bundleId the bundle id (or a synthetic id outside OSGi)
 * @param symbolicName the bundle symbolic name
 * @param bundle the bundle, {@code null} outside OSGi (unit and contract tests); the policy reads
 *            the bundle's socket declarations from its headers
 */
public record Owner(long bundleId, String symbolicName, Bundle bundle) {

    public Owner {
        Objects.requireNonNull(symbolicName, "symbolicName");
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

    /** {@code symbolicName [id]}, as shown in listings and messages. */
    @Override
    public String toString() {
        return symbolicName + " [" + bundleId + "]";
    }
}
