package org.rawsockets.socket.mina.internal.scan;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.jar.JarEntry;
import java.util.jar.JarInputStream;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.wiring.BundleRevision;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;

/**
 * The operator's way to see which installed bundles open sockets themselves, outside the socket
 * service (and so outside the policy): a bytecode scan ({@link ClassScanner}) of every class file
 * of a bundle and of the jars on its {@code Bundle-ClassPath}. A bundle revision is scanned once,
 * when a command first asks for it, and the result is kept until the bundle is updated or
 * uninstalled: never on a socket's path.
 */
@Component(service = BundleScanner.class)
public final class BundleScanner {

    /** Places kept per bundle; the rest is counted. */
    static final int MAX_USES = 200;
    /** Largest class file or embedded jar entry read. */
    static final int MAX_CLASS_BYTES = 8 * 1024 * 1024;

    private record Cached(BundleRevision revision, long lastModified, BundleScan scan) {
    }

    private final BundleContext context;
    private final Map<Long, Cached> cache = new ConcurrentHashMap<>();

    @Activate
    public BundleScanner(BundleContext context) {
        this.context = context;
    }

    /** Every installed bundle's scan (cached per revision), in bundle id order. */
    public List<BundleScan> scanAll() {
        List<BundleScan> out = new ArrayList<>();
        Set<Long> present = ConcurrentHashMap.newKeySet();
        for (Bundle b : context.getBundles()) {
            present.add(b.getBundleId());
            out.add(scan(b));
        }
        cache.keySet().retainAll(present);
        return out;
    }

    /** One bundle's scan, from the cache when its revision was scanned already. */
    public BundleScan scan(Bundle b) {
        BundleRevision rev = b.adapt(BundleRevision.class);
        long modified = b.getLastModified();
        Cached c = cache.get(b.getBundleId());
        if (c != null && c.revision() == rev && c.lastModified() == modified) {
            return c.scan();
        }
        BundleScan s = scanNow(b);
        cache.put(b.getBundleId(), new Cached(rev, modified, s));
        return s;
    }

    /** Whether {@code b} is the socket service's own implementation (it opens sockets by design). */
    public boolean isImplementation(Bundle b) {
        return b.getBundleId() == context.getBundle().getBundleId() || "org.apache.mina.core".equals(b.getSymbolicName());
    }

    private static BundleScan scanNow(Bundle b) {
        Collector c = new Collector();
        if (b.getBundleId() != 0) { // the system bundle: the JDK and the framework, not a plugin
            try {
                for (String path : classFiles(b)) {
                    URL u = b.getEntry(path);
                    if (u == null) {
                        continue;
                    }
                    try (InputStream in = u.openStream()) {
                        c.classFile(readBounded(in, path), path, null);
                    } catch (IOException e) {
                        c.problem(path + ": " + e.getMessage());
                    }
                }
                for (String jar : classPathJars(b)) {
                    URL u = b.getEntry(jar);
                    if (u == null) {
                        continue;
                    }
                    try (JarInputStream in = new JarInputStream(u.openStream())) {
                        c.jar(in, jar);
                    } catch (IOException e) {
                        c.problem(jar + ": " + e.getMessage());
                    }
                }
            } catch (IllegalStateException e) {
                c.problem("the bundle was uninstalled during the scan");
            }
        }
        String bsn = b.getSymbolicName() == null ? "bundle-" + b.getBundleId() : b.getSymbolicName();
        return new BundleScan(b.getBundleId(), bsn, String.valueOf(b.getVersion()), c.uses, c.omitted, c.problems);
    }

    /**
     * The class files of the bundle's own content (not its fragments', which are scanned as bundles
     * of their own), walked with {@code getEntryPaths}: unlike {@code findEntries} it never tries to
     * resolve an installed bundle.
     */
    private static List<String> classFiles(Bundle b) {
        List<String> out = new ArrayList<>();
        java.util.ArrayDeque<String> dirs = new java.util.ArrayDeque<>();
        dirs.add("/");
        while (!dirs.isEmpty()) {
            Enumeration<String> paths = b.getEntryPaths(dirs.poll());
            while (paths != null && paths.hasMoreElements()) {
                String p = paths.nextElement();
                if (p.endsWith("/")) {
                    dirs.add(p);
                } else if (p.endsWith(".class")) {
                    out.add(p);
                }
            }
        }
        return out;
    }

    private static List<String> classPathJars(Bundle b) {
        List<String> out = new ArrayList<>();
        String cp = b.getHeaders("").get(Constants.BUNDLE_CLASSPATH);
        if (cp == null) {
            return out;
        }
        for (String part : cp.split(",")) {
            String p = part.trim();
            int semi = p.indexOf(';');
            if (semi >= 0) {
                p = p.substring(0, semi).trim();
            }
            if (p.endsWith(".jar")) {
                out.add(p.startsWith("/") ? p.substring(1) : p);
            }
        }
        return out;
    }

    static byte[] readBounded(InputStream in, String what) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[16 * 1024];
        int n;
        while ((n = in.read(buf)) >= 0) {
            if (out.size() + n > MAX_CLASS_BYTES) {
                throw new IOException("larger than " + MAX_CLASS_BYTES + " bytes, not scanned");
            }
            out.write(buf, 0, n);
        }
        return out.toByteArray();
    }

    /** Gathers the places of one bundle, bounded. */
    static final class Collector {
        final List<SocketUse> uses = new ArrayList<>();
        final List<String> problems = new ArrayList<>();
        int omitted;

        void classFile(byte[] bytes, String path, String source) {
            List<SocketUse> found;
            try {
                found = ClassScanner.scan(bytes, source);
            } catch (NoClassDefFoundError e) {
                throw new UnsupportedOperationException("policy:scan needs ASM (package org.objectweb.asm), which is not"
                        + " installed in this framework", e);
            } catch (RuntimeException e) {
                problem((source == null ? "" : source + "!") + path + ": not a readable class file (" + e + ")");
                return;
            }
            for (SocketUse u : found) {
                if (uses.size() < MAX_USES) {
                    uses.add(u);
                } else {
                    omitted++;
                }
            }
        }

        /** The class files of an embedded jar (nested jars inside it are not opened). */
        void jar(JarInputStream in, String name) throws IOException {
            JarEntry e;
            while ((e = in.getNextJarEntry()) != null) {
                if (!e.isDirectory() && e.getName().endsWith(".class")) {
                    byte[] bytes;
                    try {
                        bytes = readBounded(in, e.getName());
                    } catch (IOException ex) {
                        problem(name + "!" + e.getName() + ": " + ex.getMessage());
                        continue;
                    }
                    classFile(bytes, e.getName(), name);
                }
            }
        }

        void problem(String p) {
            if (problems.size() < 20) {
                problems.add(p);
            }
        }
    }
}
