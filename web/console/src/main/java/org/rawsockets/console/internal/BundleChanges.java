package org.rawsockets.console.internal;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.jar.JarInputStream;
import java.util.jar.Manifest;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.rawsockets.socket.SocketService;

/**
 * Installing, updating and uninstalling bundles from the console, with the same effect as the
 * {@code deploy/} folder: the console writes, replaces or deletes the bundle's jar in the deploy
 * folder (the first folder of FileInstall's {@code felix.fileinstall.dir}) and FileInstall applies
 * it, so the change also survives a restart (the framework cache is rebuilt from {@code deploy/}).
 * Bundles that are not in the deploy folder (the platform's, from {@code system/}) are refused.
 * Jars are size-limited, must be bundles (a manifest with {@code Bundle-SymbolicName}) and are
 * written atomically (a {@code .tmp} file FileInstall ignores, then renamed).
 */
final class BundleChanges {

    static final String CONSOLE_BSN = "org.rawsockets.console";
    static final Duration URL_TIMEOUT = Duration.ofSeconds(60);

    private final BundleContext context;
    private final long maxBytes;
    private final BundleDownload download;

    BundleChanges(BundleContext context, long maxBytes, SocketService sockets) {
        this.context = context;
        this.maxBytes = maxBytes;
        this.download = new BundleDownload(sockets, maxBytes, URL_TIMEOUT);
    }

    /** The deploy folder, or a 409 saying why there is none. */
    Path deployFolder() {
        String dirs = context.getProperty("felix.fileinstall.dir");
        if (dirs == null || dirs.isBlank()) {
            throw new HttpError(409, "no deploy folder: FileInstall's felix.fileinstall.dir is not set, so bundles"
                    + " cannot be changed from the console");
        }
        Path p = Path.of(dirs.split(",")[0].trim()).toAbsolutePath().normalize();
        if (!Files.isDirectory(p)) {
            throw new HttpError(409, "the deploy folder " + p + " does not exist");
        }
        return p;
    }

    /** The jar of {@code b} in the deploy folder, or a 409 when it is not from there. */
    Path deployedJar(Bundle b) {
        if (b.getBundleId() == 0 || CONSOLE_BSN.equals(b.getSymbolicName())) {
            throw new HttpError(409, "bundle " + b.getBundleId() + " (" + b.getSymbolicName()
                    + ") cannot be changed from the console itself");
        }
        Path deploy = deployFolder();
        Path jar = null;
        try {
            String loc = b.getLocation();
            if (loc != null && loc.startsWith("file:")) {
                jar = Path.of(URI.create(loc)).toAbsolutePath().normalize();
            }
        } catch (IllegalArgumentException e) {
            jar = null;
        }
        if (jar == null || !deploy.equals(jar.getParent())) {
            throw new HttpError(409, "bundle " + b.getBundleId() + " (" + b.getSymbolicName() + ") is not in the deploy"
                    + " folder " + deploy + " (a platform bundle, location " + b.getLocation() + "): it is changed by"
                    + " the distribution, not the console");
        }
        return jar;
    }

    /** Installs an uploaded jar: written to the deploy folder as {@code <symbolic name>.jar}. */
    Map<String, Object> install(InputStream body) {
        Path deploy = deployFolder();
        byte[] jar = readLimited(body);
        String bsn = symbolicName(jar);
        for (Bundle b : context.getBundles()) {
            if (bsn.equals(b.getSymbolicName())) {
                throw new HttpError(409, "a bundle " + bsn + " is already installed (id " + b.getBundleId()
                        + "): update it instead");
            }
        }
        if (bsn.equals(CONSOLE_BSN)) {
            throw new HttpError(409, "the console cannot install another console");
        }
        Path target = deploy.resolve(bsn + ".jar");
        if (Files.exists(target)) {
            throw new HttpError(409, target + " already exists (FileInstall has not installed it yet?)");
        }
        write(target, jar);
        return result("install", bsn, target);
    }

    /** Replaces the jar of {@code b} in the deploy folder with {@code body}'s (same symbolic name). */
    Map<String, Object> update(Bundle b, InputStream body) {
        return replace(b, readLimited(body));
    }

    private Map<String, Object> replace(Bundle b, byte[] jar) {
        Path target = deployedJar(b);
        String bsn = symbolicName(jar);
        if (!bsn.equals(b.getSymbolicName())) {
            throw new HttpError(400, "the jar is bundle " + bsn + ", not " + b.getSymbolicName()
                    + ": an update keeps the symbolic name (install it as a new bundle instead)");
        }
        write(target, jar);
        return result("update", bsn, target);
    }

    /**
     * Fetches the jar at {@code url} (http or https only) through the console's own socket service,
     * so under the socket policy, and updates {@code b} with it.
     */
    Map<String, Object> updateFromUrl(Bundle b, String url) {
        deployedJar(b); // refuse before fetching anything
        return replace(b, download.fetch(BundleDownload.parse(url)));
    }

    /** Deletes the jar of {@code b} from the deploy folder; FileInstall stops and uninstalls it. */
    Map<String, Object> uninstall(Bundle b) {
        Path jar = deployedJar(b);
        boolean deleted;
        try {
            deleted = Files.deleteIfExists(jar);
        } catch (IOException e) {
            throw new HttpError(500, "cannot delete " + jar + ": " + e);
        }
        if (!deleted) {
            throw new HttpError(409, jar + " is already gone: FileInstall is uninstalling bundle " + b.getBundleId());
        }
        return result("uninstall", b.getSymbolicName(), jar);
    }

    /** Whether {@code b} is a bundle of the deploy folder the console may update or uninstall. */
    boolean changeable(Bundle b) {
        try {
            deployedJar(b);
            return true;
        } catch (HttpError e) {
            return false;
        }
    }

    private byte[] readLimited(InputStream body) {
        byte[] b;
        try {
            b = body.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBytes + 1));
        } catch (IOException e) {
            throw new HttpError(400, "the upload broke off: " + e.getMessage());
        }
        if (b.length > maxBytes) {
            throw new HttpError(413, "the jar is larger than " + maxBytes + " bytes (maxBundleBytes)");
        }
        if (b.length == 0) {
            throw new HttpError(400, "no jar in the request body (send it as application/java-archive)");
        }
        return b;
    }

    static String symbolicName(byte[] jar) {
        Manifest m;
        try (JarInputStream in = new JarInputStream(new ByteArrayInputStream(jar))) {
            m = in.getManifest();
        } catch (IOException e) {
            throw new HttpError(400, "not a jar: " + e.getMessage());
        }
        String bsn = m == null ? null : m.getMainAttributes().getValue("Bundle-SymbolicName");
        if (bsn == null || bsn.isBlank()) {
            throw new HttpError(400, "not an OSGi bundle: the jar has no manifest with a Bundle-SymbolicName");
        }
        bsn = bsn.split(";")[0].trim();
        if (!bsn.matches("[A-Za-z0-9_.-]+")) {
            throw new HttpError(400, "Bundle-SymbolicName '" + bsn + "' is not a usable file name");
        }
        return bsn;
    }

    private static void write(Path target, byte[] jar) {
        try {
            writeAtomically(target, jar);
        } catch (IOException e) {
            throw new HttpError(500, "cannot write " + target + ": " + e);
        }
    }

    private static void writeAtomically(Path target, byte[] jar) throws IOException {
        Path tmp = target.resolveSibling(target.getFileName() + ".tmp"); // FileInstall ignores *.tmp
        try {
            Files.write(tmp, jar);
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp); // only left when writing failed
        }
    }

    private static Map<String, Object> result(String action, String bsn, Path file) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("action", action);
        m.put("symbolicName", bsn);
        m.put("file", file.toString());
        m.put("note", "FileInstall applies it from the deploy folder within a second; GET /api/bundles shows the result");
        return m;
    }
}
