package org.rawsockets.socket.mina.internal.scan;

import java.util.List;

/**
 * What the scan found in one bundle revision.
 *
 * @param bundleId the bundle's id
 * @param symbolicName its symbolic name
 * @param version its version
 * @param uses where its class files (and jars on its Bundle-ClassPath) open sockets themselves, at
 *            most {@link BundleScanner#MAX_USES}
 * @param omitted how many more places were found beyond those
 * @param problems what could not be read (a corrupt jar, a class too large), naming the entry
 */
public record BundleScan(long bundleId, String symbolicName, String version, List<SocketUse> uses, int omitted,
        List<String> problems) {

    public BundleScan {
        uses = List.copyOf(uses);
        problems = List.copyOf(problems);
    }

    /** All places found, kept or not. */
    public int count() {
        return uses.size() + omitted;
    }

    @Override
    public String toString() {
        return symbolicName + " " + version + " [" + bundleId + "]";
    }
}
