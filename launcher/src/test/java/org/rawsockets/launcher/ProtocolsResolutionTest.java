package org.rawsockets.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

/**
 * The build resolves {@code protocols.bndrun} (every bundle the distribution puts in {@code deploy/})
 * against the platform of {@code gateway.bndrun}: a missing import fails that resolution. This checks
 * what its checked-in result says: the platform stays exactly as the gateway runs it (no bundle of
 * another version, none left out) and the only bundles added are ours and the SSH bundle's two
 * Apache MINA SSHD libraries, the ones {@code deploy/} ships. A protocol bundle that needs anything
 * else would run in the build's resolution but not in a gateway.
 */
class ProtocolsResolutionTest {

    static final Path LAUNCHER = ProtocolModulesTest.ROOT.resolve("launcher");
    /** Library bundles the distribution ships in deploy/ beside ours (dist-ssh-libraries-deploy). */
    static final Set<String> DEPLOYED_LIBRARIES = Set.of("org.apache.sshd.osgi", "org.apache.sshd.sftp");

    @Test
    void deployBundlesResolveAgainstTheUnchangedPlatformAndNothingElse() throws IOException {
        Map<String, String> platform = runbundles(LAUNCHER.resolve("gateway.bndrun"));
        Map<String, String> withDeploy = runbundles(LAUNCHER.resolve("protocols.bndrun"));
        assertTrue(platform.containsKey("org.rawsockets.socket.mina"), platform.toString());
        for (Map.Entry<String, String> e : platform.entrySet()) {
            assertEquals(e.getValue(), withDeploy.get(e.getKey()), "platform bundle " + e.getKey()
                    + ": protocols.bndrun resolves another version or leaves it out, so a deploy/ bundle needs a platform"
                    + " the gateway does not run");
        }
        Map<String, String> added = new TreeMap<>(withDeploy);
        added.keySet().removeAll(platform.keySet());
        for (String bsn : added.keySet()) {
            assertTrue(bsn.startsWith("org.rawsockets.") || DEPLOYED_LIBRARIES.contains(bsn), bsn + " " + added.get(bsn)
                    + " is needed by a deploy/ bundle but is neither in the platform (gateway.bndrun) nor shipped in"
                    + " deploy/: add it to one of them");
        }
        for (String bsn : requiredIds(LAUNCHER.resolve("protocols.bndrun"))) {
            assertTrue(withDeploy.containsKey(bsn), bsn + " is required but not in protocols.bndrun's -runbundles");
        }
        assertTrue(added.keySet().containsAll(DEPLOYED_LIBRARIES), added.toString());
        assertTrue(added.containsKey("org.rawsockets.ssh") && added.containsKey("org.rawsockets.print"), added.toString());
    }

    @Test
    void everyProtocolAndWebBundleIsRequired() throws Exception {
        Set<String> required = requiredIds(LAUNCHER.resolve("protocols.bndrun"));
        // bundle symbolic names: org.rawsockets.<module>, web modules as their bnd.bnd names them
        int bundles = 0;
        for (String module : ProtocolModulesTest.protocolBundles(ProtocolModulesTest.ROOT)) {
            assertTrue(required.contains("org.rawsockets." + module), "protocols.bndrun does not require protocol bundle "
                    + module + " (org.rawsockets." + module + "): add it to -runrequires");
            bundles++;
        }
        assertTrue(bundles >= 8, "found " + bundles + " protocol bundles");
        assertTrue(required.contains("org.rawsockets.console") && required.contains("org.rawsockets.webbridge"),
                required.toString());
        assertFalse(required.isEmpty());
    }

    /** The -runbundles entries of a bndrun: symbolic name to version range. */
    static Map<String, String> runbundles(Path bndrun) throws IOException {
        String text = Files.readString(bndrun);
        int at = text.indexOf("-runbundles:");
        assertTrue(at >= 0, bndrun + " has no -runbundles: run the build with -Dgateway.resolve.failOnChanges=false");
        Map<String, String> out = new LinkedHashMap<>();
        Matcher m = Pattern.compile("([\\w.\\-]+);version='([^']+)'").matcher(text.substring(at));
        while (m.find()) {
            out.put(m.group(1), m.group(2));
        }
        return out;
    }

    /** The bnd.identity ids a bndrun's own -runrequires names (not the included platform's). */
    static Set<String> requiredIds(Path bndrun) throws IOException {
        String text = Files.readString(bndrun);
        int from = text.indexOf("-runrequires:");
        int to = text.indexOf("-runbundles:");
        Set<String> out = new java.util.TreeSet<>();
        Matcher m = Pattern.compile("bnd\\.identity;id='([^']+)'").matcher(text.substring(from, to < 0 ? text.length() : to));
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }
}
